"""Reads of client data. Every read goes through `Case.objects.visible_to(user)`.

A record outside the user's reach is a 404 (Http404), never a 403, so its existence
is not revealed. Reads of a client record are audited here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone

from accounts.access import access_for
from accounts.models import Office, Role
from agencies.importer.normalize import agency_match_key
from agencies.selectors import agency_search, agency_standings_on, models_in_force
from audit.models import AuditAction, AuditEntry
from audit.services import audit_record
from cases.matching import REASONS, THRESHOLDS, best_name_score, dob_relation, dob_variants
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
)
from caseworker.lib.anumber import a_number_lookup
from caseworker.lib.lookup import object_get_or_404
from caseworker.lib.text import fold


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


def client_get_for_user(*, user, public_id, audit: bool = True, ip=None) -> Client:
    clients = Client.objects.visible_to(user)
    client = object_get_or_404(clients, message="No such client", public_id=public_id)
    if audit:
        audit_record(
            actor=user, action=AuditAction.VIEW, target=client, summary="Client viewed", ip=ip
        )
    return client


def client_reveal_a_number(*, user, client: Client, ip=None) -> str:
    """The full A-number: a deliberate, audited act (page and API alike)."""
    audit_record(
        actor=user, action=AuditAction.REVEAL, target=client, summary="A-number revealed", ip=ip
    )
    return client.a_number or ""


def notes_visible(*, user, case: Case) -> QuerySet[Note]:
    """A case's notes the user may read: privileged ones only for attorneys of its office."""
    qs = case.notes.select_related("created_by")
    if not access_for(user).reads_privileged_in(case.office_id):
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


# Caseworker workflow (issue 4) ---------------------------------------------------------


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


def case_get_for_page(*, user, public_id, ip=None) -> Case:
    """A case for its page. Showing a case shows its client, so the read is audited."""
    case = case_get_for_user(user=user, public_id=public_id)
    case_read_record(user=user, case=case, ip=ip)
    return case


def event_get_for_user(*, user, public_id) -> DetentionEvent:
    events = events_visible(user=user).select_related("case__client", "case__office")
    return object_get_or_404(events, message="No such detention event", public_id=public_id)


def attachment_get_for_user(*, user, public_id) -> Attachment:
    attachments = Attachment.objects.select_related("case").filter(
        case__in=cases_visible(user=user)
    )
    return object_get_or_404(attachments, message="No such attachment", public_id=public_id)


def deadline_get_for_user(*, user, public_id) -> Deadline:
    deadlines = Deadline.objects.select_related("case").filter(case__in=cases_visible(user=user))
    return object_get_or_404(deadlines, message="No such deadline", public_id=public_id)


def client_cases(*, user, client: Client) -> QuerySet[Case]:
    return (
        cases_visible(user=user)
        .filter(client=client)
        .select_related("office", "caseworker", "attorney")
    )


# Duplicate clients --------------------------------------------------------------------

DUPLICATE_SCAN_LIMIT = 5000
DUPLICATE_SHOW = 8


@dataclass
class DuplicateCandidate:
    """A visible client who may be the person being taken in, and why."""

    client: Client
    score: int
    reasons: list[str]

    @property
    def choice_value(self) -> str:
        return f"client:{self.client.public_id}"


@dataclass
class DuplicateReport:
    """Possible existing clients. `a_number_client` is set when the A-number is taken,
    even by a client of another office (who is then not shown: only the fact is)."""

    candidates: list[DuplicateCandidate] = field(default_factory=list)
    a_number_client: Client | None = None
    a_number_visible: bool = False

    def __bool__(self) -> bool:
        return bool(self.candidates or self.a_number_client)


def client_by_a_number(a_number: str) -> Client | None:
    """The client holding an A-number in any office (for linking; never shown as is)."""
    try:
        return Client.objects.filter(a_number_lookup(a_number)).first()
    except ValidationError:
        return None


def client_duplicates(
    *, user, given_names: str, family_names: str, date_of_birth=None, a_number: str = ""
) -> DuplicateReport:
    """Existing clients who may be this person: A-number exactly (any input format),
    or a similar name with the same, swapped or unknown date of birth.

    Fuzzy matches are limited to clients the user may see; an A-number held by a client
    of another office is reported without details, so the caller can link, not copy.
    Two queries: narrow in SQL (date of birth, or a 3-letter piece of any name), score in
    Python with rapidfuzz, then load the best few with their visible cases.
    """
    report = DuplicateReport()
    if a_number:
        report.a_number_client = client_by_a_number(a_number)
    typed = f"{given_names} {family_names}".strip()
    scores: dict[int, tuple[int, list[str]]] = {}
    words = [w for w in fold(typed).split() if len(w) >= 2]
    if words:
        pieces = Q()
        for word in words:
            pieces |= Q(search_name__contains=word[:3])
        visible = Client.objects.visible_to(user)
        if date_of_birth:
            # Dates of birth are encrypted: the same or swapped date is found by its index.
            dob_index = Client._meta.get_field("date_of_birth_bidx")
            found = visible.filter(
                Q(date_of_birth_bidx__in=[dob_index.digest(d) for d in dob_variants(date_of_birth)])
                | (Q(date_of_birth__isnull=True) & pieces)
            )
        else:
            found = visible.filter(pieces)
        rows = found.values_list(
            "pk", "given_names", "family_names", "other_names", "date_of_birth"
        )[:DUPLICATE_SCAN_LIMIT]
        for pk, given, family, other, dob in rows:
            relation = dob_relation(date_of_birth, dob)
            if relation == "different":
                continue
            score = best_name_score(typed, f"{given} {family}", other)
            if score >= THRESHOLDS[relation]:
                scores[pk] = (score, [f"similar name ({score}%)", REASONS[relation]])
    if report.a_number_client is not None:
        pk = report.a_number_client.pk
        report.a_number_visible = Client.objects.visible_to(user).filter(pk=pk).exists()
        if report.a_number_visible:
            scores[pk] = (100, ["same A-number", *scores.get(pk, (0, []))[1]])
    best = sorted(scores.items(), key=lambda item: -item[1][0])[:DUPLICATE_SHOW]
    if best:
        clients = Client.objects.prefetch_related(
            Prefetch("cases", queryset=cases_visible(user=user).select_related("office"))
        ).in_bulk([pk for pk, _ in best])
        report.candidates = [
            DuplicateCandidate(client=clients[pk], score=score, reasons=reasons)
            for pk, (score, reasons) in best
            if pk in clients
        ]
    return report


# Case page --------------------------------------------------------------------------


@dataclass
class TimelineItem:
    """One thing that happened on a case, for the single case timeline."""

    kind: str  # event, note, deadline, attachment, change, intake
    at: dt.datetime
    obj: object
    date_only: bool = False


def _at(day: dt.date, time: dt.time | None = None) -> dt.datetime:
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
        TimelineItem("event", _at(e.event_date, e.event_time), e, date_only=not e.event_time)
        for e in events
    ]
    items += [TimelineItem("note", n.created_at, n) for n in notes]
    items += [
        TimelineItem("deadline", _at(d.due_on, d.due_time), d, date_only=not d.due_time)
        for d in deadlines
    ]
    items += [TimelineItem("attachment", a.created_at, a) for a in attachments]
    items += [TimelineItem("change", c.at, c) for c in changes]
    if intake:
        items.append(TimelineItem("intake", _at(intake.received_on), intake, date_only=True))
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


# Lists --------------------------------------------------------------------------------


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


def events_to_link(*, user) -> QuerySet[DetentionEvent]:
    """Events naming an agency that is not (yet) linked to the directory."""
    return (
        events_visible(user=user)
        .filter(
            Q(arresting_agency__isnull=True, arresting_agency_name__gt="")
            | Q(custody_agency__isnull=True, custody_agency_name__gt="")
        )
        .select_related("case__client")
        .order_by("event_date", "id")
    )


def home_summary(*, user, limit: int = 25) -> dict:
    """What the home page shows for the user's roles; a fixed number of queries."""
    access = access_for(user)
    today = timezone.localdate()
    summary: dict = {}
    if access.has(Role.CASEWORKER) or access.has(Role.ATTORNEY):
        mine = Q(caseworker=user) | Q(attorney=user)
        summary["my_cases"] = _first(
            cases_visible(user=user)
            .filter(mine)
            .exclude(status=CaseStatus.CLOSED)
            .select_related("client")
            .order_by("-opened_on", "-id"),
            limit,
        )
        summary["recent_events"] = _first(
            events_visible(user=user)
            .filter(created_at__gte=timezone.now() - dt.timedelta(days=7))
            .select_related("case__client")
            .order_by("-created_at"),
            limit,
        )
        summary["deadlines"] = _first(deadlines_upcoming(user=user, days=14, mine=True), limit)
        summary["today"] = today
    if access.has(Role.ATTORNEY):
        summary["awaiting_review"] = _first(
            cases_visible(user=user)
            .filter(status=CaseStatus.NEW)
            .filter(Q(attorney=user) | Q(attorney__isnull=True))
            .select_related("client", "caseworker")
            .order_by("opened_on", "id"),
            limit,
        )
    if access.reads_all_offices:
        summary["office_totals"] = office_totals(user=user)
    return summary


@dataclass
class FirstRows:
    """The first rows of a list and how many there are in all (two queries)."""

    rows: list
    total: int

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


def _first(queryset, limit: int) -> FirstRows:
    rows = list(queryset[:limit])
    total = len(rows) if len(rows) < limit else queryset.count()
    return FirstRows(rows, total)


def office_totals(*, user) -> list[dict]:
    """Per office: cases by status, cases opened and closed in the last 30 days, and
    detention events logged in the last 30 days. Three queries for any number of offices."""
    since = timezone.localdate() - dt.timedelta(days=30)
    visible = cases_visible(user=user)
    by_status = visible.values("office_id", "status").annotate(n=Count("id")).order_by()
    recent = (
        visible.values("office_id")
        .annotate(
            opened=Count("id", filter=Q(opened_on__gte=since)),
            closed=Count("id", filter=Q(closed_on__gte=since)),
        )
        .order_by()
    )
    events = (
        DetentionEvent.objects.filter(case__in=visible, created_at__gte=_at(since))
        .values("case__office_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for row in by_status:
        rows[row["office_id"]][row["status"]] = row["n"]
    for row in recent:
        rows[row["office_id"]].update(opened=row["opened"], closed_recent=row["closed"])
    for row in events:
        rows[row["case__office_id"]]["events"] = row["n"]
    offices = Office.objects.filter(pk__in=rows).order_by("name")
    return [{"office": office, **rows[office.pk]} for office in offices]


# Agency picker ------------------------------------------------------------------------

AGENCY_SUGGESTIONS = 12


def agency_suggestions(*, q: str, state: str = "", on_date=None) -> list[tuple]:
    """(agency, standing on `on_date`, matched alias or "") for the agency picker.

    Every word typed must appear in the agency's normalised name or in one alias, so
    "miami dade so" finds "Miami-Dade Sheriff's Office". Names starting with the text
    come first. Three queries whatever the number of results.
    """
    key = agency_match_key(q or "")
    if len(key.replace(" ", "")) < 2:
        return []
    condition = Q()
    for word in key.split():
        condition &= Q(match_key__contains=word) | Q(aliases__match_key__contains=word)
    text = " ".join(q.split())
    condition |= Q(name__icontains=text) | Q(aliases__name__icontains=text)
    found = list(
        agency_search(state=state)
        .filter(condition)
        .distinct()
        .prefetch_related("aliases")[: AGENCY_SUGGESTIONS * 4]
    )
    found.sort(key=lambda a: (not a.match_key.startswith(key), key not in a.match_key, a.name))
    found = found[:AGENCY_SUGGESTIONS]
    standings = (
        agency_standings_on(agency_ids=[a.pk for a in found], on_date=on_date) if (on_date) else {}
    )
    results = []
    for agency in found:
        alias = ""
        if key not in agency.match_key:
            alias = next((a.name for a in agency.aliases.all() if key in a.match_key), "")
        results.append((agency, standings.get(agency.pk), alias))
    return results


# Lists, search and saved searches (issue 5) -------------------------------------------


def cases_for_list(*, user) -> QuerySet[Case]:
    """Visible cases with what a list row or an export shows, in one query per page."""
    return cases_visible(user=user).select_related("client", "office", "caseworker", "attorney")


def events_for_list(*, user) -> QuerySet[DetentionEvent]:
    return events_visible(user=user).select_related(
        "case__client", "case__office", "arresting_agency", "custody_agency"
    )


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


def saved_searches_for(*, user) -> QuerySet:
    from cases.models import SavedSearch

    return SavedSearch.objects.filter(user=user).order_by("name", "id")


def saved_search_get_for_user(*, user, public_id):
    from cases.models import SavedSearch

    searches = SavedSearch.objects.filter(user=user)
    return object_get_or_404(searches, message="No such saved search", public_id=public_id)


@dataclass
class AgencyCase:
    """A detention event linked to the agency, with how its stored snapshot compares."""

    event: object
    role: str
    stored: tuple[str, ...]
    directory: tuple[str, ...]

    @property
    def differs(self) -> bool:
        return self.stored != self.directory


def agency_cases(
    *, user, agency, agreements: list, limit: int = 200
) -> tuple[list[AgencyCase], int]:
    """Events the user may see where the agency arrested or held the client (one query
    for the page, one for the count), each with its snapshot against today's directory."""
    events = events_visible(user=user).filter(either_agency(agency.pk))
    rows = []
    for event in events.order_by("-event_date", "-id")[:limit]:
        for role in ("arresting", "custody"):
            if getattr(event, f"{role}_agency_id") == agency.pk:
                stored = tuple(event.models_at(role))
                rows.append(
                    AgencyCase(event, role, stored, models_in_force(agreements, event.event_date))
                )
    return rows, events.count()
