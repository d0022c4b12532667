"""Audit entries for reads of client data. Selectors only read; the request layer (page or
API view) calls these once it has decided to show a client's record."""

from __future__ import annotations

from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case, Client


def client_read_record(*, user, client: Client, ip=None) -> None:
    """Audit a read of a client's record (the client page, the API client detail)."""
    audit_record(actor=user, action=AuditAction.VIEW, target=client, summary="Client viewed", ip=ip)


def case_read_record(*, user, case: Case, what: str = "Client", ip=None) -> None:
    """Audit a read of a case's client data (a page, an event, notes, an API response)."""
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        target=case.client,
        case_id=case.pk,
        summary=f"{what} viewed on case {case.number}",
        ip=ip,
    )


def client_reveal_a_number(*, user, client: Client, ip=None) -> str:
    """The full A-number: a deliberate, audited act (page and API alike)."""
    audit_record(
        actor=user, action=AuditAction.REVEAL, target=client, summary="A-number revealed", ip=ip
    )
    return client.a_number or ""
