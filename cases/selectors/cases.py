"""Cases and what hangs off one: notes, deadlines, attachments, the timeline, staff,
saved searches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone

from accounts.access import access_for
from audit.models import AuditAction, AuditEntry
from cases.models import (
    Attachment,
    Case,
    CaseSearch,
    CaseStatus,
    Deadline,
    Intake,
    Note,
    SavedSearch,
)
from caseworker.lib.lookup import object_get_or_404


def cases_visible(*, user) -> QuerySet[Case]:
    return Case.objects.visible_to(user).filter(archived_at__isnull=True)


def case_get_for_user(*, user, public_id) -> Case:
    cases = cases_visible(user=user).select_related("client", "office", "caseworker", "attorney")
    return object_get_or_404(cases, message="No such case", public_id=public_id)


def case_get_for_privileged_work(*, user, public_id) -> Case:
    """A case whose privileged material (notes, chronology) the user may read: an attorney
    of its office. Any other case is a 404, as if it did not exist."""
    case = case_get_for_user(user=user, public_id=public_id)
    if not access_for(user).reads_privileged_in(case.office_id):
        raise Http404("No such case")
    return case


def notes_visible(*, user, case: Case) -> QuerySet[Note]:
    """A case's notes the user may read: privileged ones only for attorneys of its office."""
    qs = case.notes.select_related("created_by")
    if not access_for(user).reads_privileged_in(case.office_id):
        qs = qs.filter(privileged=False)
    return qs


def privileged_note_count(*, case: Case) -> int:
    return case.notes.filter(privileged=True).count()


def attachment_get_for_user(*, user, public_id) -> Attachment:
    attachments = Attachment.objects.select_related("case").filter(
        case__in=cases_visible(user=user)
    )
    return object_get_or_404(attachments, message="No such attachment", public_id=public_id)


def deadline_get_for_user(*, user, public_id) -> Deadline:
    deadlines = Deadline.objects.select_related("case").filter(case__in=cases_visible(user=user))
    return object_get_or_404(deadlines, message="No such deadline", public_id=public_id)


def cases_for_list(*, user) -> QuerySet[Case]:
    """Visible cases with what a list row or an export shows, in one query per page."""
    return cases_visible(user=user).select_related("client", "office", "caseworker", "attorney")


@dataclass
class TimelineItem:
    """One thing that happened on a case, for the single case timeline."""

    kind: str  # event, note, deadline, attachment, change, intake
    at: dt.datetime
    obj: object
    date_only: bool = False


def aware_at(day: dt.date, time: dt.time | None = None) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time or dt.time.min))


TIMELINE_AUDIT_LIMIT = 200


def case_timeline(*, user, case: Case) -> dict:
    """Everything on a case the user may see, newest first, in a fixed number of queries."""
    events = list(
        case.detention_events.select_related("arresting_agency", "custody_agency", "created_by")
    )
    notes = list(notes_visible(user=user, case=case))
    deadlines = list(case.deadlines.all())
    attachments = list(case.attachments.select_related("created_by"))
    changes = list(
        AuditEntry.objects.filter(
            case_id=case.pk,
            action__in=[AuditAction.UPDATE, AuditAction.ARCHIVE],
            target_type__in=["cases.Case", "cases.DetentionEvent", "cases.Deadline"],
        ).select_related("actor")[:TIMELINE_AUDIT_LIMIT]
    )
    intake = Intake.objects.filter(case=case).select_related("staff").first()
    items = [
        TimelineItem("event", aware_at(e.event_date, e.event_time), e, date_only=not e.event_time)
        for e in events
    ]
    items += [TimelineItem("note", n.created_at, n) for n in notes]
    items += [
        TimelineItem("deadline", aware_at(d.due_on, d.due_time), d, date_only=not d.due_time)
        for d in deadlines
    ]
    items += [TimelineItem("attachment", a.created_at, a) for a in attachments]
    items += [TimelineItem("change", c.at, c) for c in changes]
    if intake:
        items.append(TimelineItem("intake", aware_at(intake.received_on), intake, date_only=True))
    items.sort(key=lambda item: item.at, reverse=True)
    hidden_notes = 0
    if not access_for(user).reads_privileged_in(case.office_id):
        hidden_notes = privileged_note_count(case=case)
    return {
        "items": items,
        "events": events,
        "deadlines_open": [d for d in deadlines if d.done_at is None],
        "intake": intake,
        "hidden_notes": hidden_notes,
    }


def office_staff(*, office) -> dict[str, list]:
    """Active members of an office by role, for the assignment form (one query)."""
    members = (
        office.members.filter(is_active=True, role_grants__role__in=["caseworker", "attorney"])
        .annotate(role=F("role_grants__role"))
        .order_by("first_name", "last_name", "username")
    )
    staff: dict[str, list] = {"caseworker": [], "attorney": []}
    for member in members:
        staff[member.role].append(member)
    return staff


def deadlines_upcoming(*, user, days: int = 30, mine: bool = False) -> QuerySet[Deadline]:
    """Open deadlines on visible open cases due within `days` (overdue ones included)."""
    until = timezone.localdate() + dt.timedelta(days=days)
    cases = cases_visible(user=user).exclude(status=CaseStatus.CLOSED)
    if mine:
        cases = cases.filter(Q(caseworker=user) | Q(attorney=user))
    return (
        Deadline.objects.filter(case__in=cases, done_at__isnull=True, due_on__lte=until)
        .select_related("case__client", "case__caseworker", "case__attorney")
        .order_by("due_on", "due_time", "id")
    )


def saved_searches_for(*, user) -> QuerySet:
    return SavedSearch.objects.filter(user=user).order_by("name", "id")


def saved_search_get_for_user(*, user, public_id):
    searches = SavedSearch.objects.filter(user=user)
    return object_get_or_404(searches, message="No such saved search", public_id=public_id)


def search_reveal(*, user, params: QueryDict) -> QueryDict | None:
    """`params` with an opaque search id (`s`) replaced by the terms stored under it for
    this user; None when the id is unknown, another user's or expired."""
    token = params.get(CaseSearch.PARAM)
    if not token:
        return params
    search = CaseSearch.objects.filter(
        user=user, token=token[:32], expires_at__gt=timezone.now()
    ).first()
    if search is None:
        return None
    revealed = params.copy()
    del revealed[CaseSearch.PARAM]
    for name, values in QueryDict(search.params).lists():
        revealed.setlist(name, values)
    return revealed
