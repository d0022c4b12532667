"""Retention: closed cases older than RETENTION_YEARS lose their personal data.

Anonymising keeps every row (so counts, patterns and reports are unchanged) and removes
what identifies or is about the person: the client's names, A-number, date of birth and
contact details (once all their cases are due), note text, intake caller and narrative,
charges, deadline descriptions and attachment files. Nothing is hard-deleted. A case or
client under a litigation hold is never touched; holds are set and lifted by attorneys
of the case's office, with a reason, and audited. Runs are idempotent (an anonymised case
is not due again) and each run, dry or not, is recorded and audited with its counts. A real
run also deletes expired opaque case searches (their terms are client data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.access import access_for
from accounts.models import Role
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import (
    Attachment,
    Case,
    CaseSearch,
    CaseStatus,
    Client,
    Deadline,
    DetentionEvent,
    Intake,
    Note,
    RetentionRun,
)

REMOVED_NAME = "(removed under the retention policy)"
_HELD = Q(hold_reason__gt="") | Q(client__hold_reason__gt="")


def retention_cutoff(today: dt.date | None = None) -> dt.date:
    """Cases closed before this date are due (RETENTION_YEARS before today)."""
    today = today or timezone.localdate()
    years = settings.RETENTION_YEARS
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def retention_due(*, today: dt.date | None = None):
    """(cutoff, cases due and not held, due cases held)."""
    cutoff = retention_cutoff(today)
    expired = Case.objects.filter(
        status=CaseStatus.CLOSED, closed_on__lt=cutoff, anonymised_at__isnull=True
    )
    return cutoff, expired.exclude(_HELD), expired.filter(_HELD)


@dataclass
class RetentionReport:
    run: RetentionRun
    cases: list[Case] = field(default_factory=list)


def retention_run(*, actor=None, dry_run: bool = False, today=None) -> RetentionReport:
    cutoff, due, held = retention_due(today=today)
    cases = list(due.select_related("client").order_by("closed_on", "pk"))
    run = RetentionRun(actor=actor, dry_run=dry_run, cutoff=cutoff, held_skipped=held.count())
    if not dry_run:
        done = []
        for case in cases:
            counts = _case_anonymise(actor, case)
            if counts is not None:
                done.append(case)
                run.notes_cleared += counts[0]
                run.attachments_removed += counts[1]
        run.cases_anonymised = len(done)
        # Expired search terms are retained data too (each user's go at their next search).
        CaseSearch.objects.filter(expires_at__lte=timezone.now()).delete()
        for client_id in sorted({case.client_id for case in done}):
            run.clients_anonymised += _client_anonymise(actor, client_id)
        cases = done
    else:
        run.cases_anonymised = len(cases)
    run.save()
    summary = (
        f"Retention {'dry run' if dry_run else 'run'} (closed before {cutoff}): "
        f"{run.cases_anonymised} cases, {run.clients_anonymised} clients, "
        f"{run.notes_cleared} notes, {run.attachments_removed} attachments; "
        f"{run.held_skipped} held cases skipped"
    )
    audit_record(actor=actor, action=AuditAction.ARCHIVE, target=run, summary=summary)
    return RetentionReport(run=run, cases=cases)


def _files_delete(storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def _case_anonymise(actor, case: Case) -> tuple[int, int] | None:
    """(notes cleared, attachments removed), or None when a hold arrived meanwhile."""
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update()
            .filter(pk=case.pk, anonymised_at__isnull=True)
            .exclude(_HELD)
            .first()
        )
        if locked is None:
            return None
        now = timezone.now()
        notes = Note.objects.filter(case=locked).update(body="")
        attachments = Attachment.objects.filter(case=locked).exclude(file="")
        names = list(attachments.values_list("file", flat=True))
        storage = Attachment._meta.get_field("file").storage
        attachments.update(file="", original_name="removed.bin", description="", sha256="")
        # Files go only once the rows say so: a rollback keeps both.
        transaction.on_commit(lambda: _files_delete(storage, names))
        Intake.objects.filter(case=locked).update(caller_name="", caller_phone="", narrative="")
        DetentionEvent.objects.filter(case=locked).update(charges="")
        Deadline.objects.filter(case=locked).update(description="")
        locked.anonymised_at = now
        locked.archived_at = locked.archived_at or now
        locked.save(update_fields=["anonymised_at", "archived_at", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.ARCHIVE,
            target=locked,
            case_id=locked.pk,
            summary=f"Anonymised under the retention policy (closed {locked.closed_on})",
        )
    return notes, len(names)


def _client_anonymise(actor, client_id: int) -> int:
    """1 when the client's personal data was removed: all their cases anonymised, no hold."""
    with transaction.atomic():
        client = (
            Client.objects.select_for_update()
            .filter(pk=client_id, anonymised_at__isnull=True, hold_reason="")
            .exclude(cases__anonymised_at__isnull=True)
            .first()
        )
        if client is None:
            return 0
        client.given_names, client.family_names = "", REMOVED_NAME
        client.other_names = client.search_name = client.phone = client.contacts = ""
        client.safe_contact_notes = ""
        client.a_number = client.date_of_birth = None
        client.anonymised_at = timezone.now()
        client.save()
        audit_record(
            actor=actor,
            action=AuditAction.ARCHIVE,
            target=client,
            summary="Client anonymised under the retention policy",
        )
    return 1


# Litigation holds --------------------------------------------------------------------


def _hold_offices(target) -> list[int]:
    if isinstance(target, Case):
        return [target.office_id]
    return list(target.cases.values_list("office_id", flat=True))


def _require_hold_power(actor, target) -> None:
    access = access_for(actor)
    if not access.has(Role.ATTORNEY) or not any(
        access.can_write_case_in(office_id) for office_id in _hold_offices(target)
    ):
        raise PermissionDenied("Only an attorney of the case's office may change a legal hold.")


def legal_hold_set(*, actor, target: Case | Client, reason: str) -> None:
    """Put a case or client under a litigation hold: retention will never touch it."""
    _require_hold_power(actor, target)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"hold_reason": ["Say why the record is held (e.g. the matter)."]})
    if len(reason) > 300:
        raise ValidationError({"hold_reason": ["Keep the reason under 300 characters."]})
    if target.anonymised_at:
        raise ValidationError({"hold_reason": ["This record was already anonymised."]})
    target.hold_reason, target.hold_set_at, target.hold_set_by = reason, timezone.now(), actor
    target.save(update_fields=["hold_reason", "hold_set_at", "hold_set_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=target,
        case_id=target.pk if isinstance(target, Case) else None,
        summary=f"Litigation hold set: {reason}",
    )


def legal_hold_lift(*, actor, target: Case | Client) -> None:
    _require_hold_power(actor, target)
    if not target.on_hold:
        return
    reason = target.hold_reason
    target.hold_reason, target.hold_set_at, target.hold_set_by = "", None, None
    target.save(update_fields=["hold_reason", "hold_set_at", "hold_set_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=target,
        case_id=target.pk if isinstance(target, Case) else None,
        summary=f"Litigation hold lifted (was: {reason})",
    )
