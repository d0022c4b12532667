"""Reads of client data. Every read goes through `Case.objects.visible_to(user)`.

A record outside the user's reach is a 404 (Http404), never a 403, so its existence
is not revealed. Reads of a client record are audited here.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.access import access_for
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import Case, Client, DetentionEvent, Note


def cases_visible(*, user) -> QuerySet[Case]:
    return Case.objects.visible_to(user).filter(archived_at__isnull=True)


def case_get_for_user(*, user, public_id) -> Case:
    try:
        return (
            cases_visible(user=user)
            .select_related("client", "office", "caseworker", "attorney")
            .get(public_id=public_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case") from None


def client_get_for_user(*, user, public_id, audit: bool = True) -> Client:
    try:
        client = Client.objects.visible_to(user).get(public_id=public_id)
    except (Client.DoesNotExist, ValueError, TypeError):
        raise Http404("No such client") from None
    if audit:
        audit_record(actor=user, action=AuditAction.VIEW, target=client, summary="Client viewed")
    return client


def notes_visible(*, user, case: Case) -> QuerySet[Note]:
    """A case's notes the user may read: privileged ones only for attorneys."""
    qs = case.notes.select_related("created_by")
    if not access_for(user).reads_privileged:
        qs = qs.filter(privileged=False)
    return qs


def privileged_note_count(*, case: Case) -> int:
    return case.notes.filter(privileged=True).count()


def events_visible(*, user) -> QuerySet[DetentionEvent]:
    return DetentionEvent.objects.filter(case__in=cases_visible(user=user)).select_related(
        "case", "arresting_agency", "custody_agency"
    )


def either_agency(agency_id) -> Q:
    return Q(arresting_agency_id=agency_id) | Q(custody_agency_id=agency_id)
