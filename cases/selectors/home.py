"""The home page: per role, the first rows of each list and the office totals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from accounts.access import access_for
from accounts.models import Office, Role
from cases.models import CaseStatus, DetentionEvent
from cases.selectors.cases import aware_at, cases_visible, deadlines_upcoming
from cases.selectors.events import events_visible


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
        DetentionEvent.objects.filter(case__in=visible, created_at__gte=aware_at(since))
        .values("case__office_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for status_row in by_status:
        rows[status_row["office_id"]][status_row["status"]] = status_row["n"]
    for recent_row in recent:
        rows[recent_row["office_id"]].update(
            opened=recent_row["opened"], closed_recent=recent_row["closed"]
        )
    for event_row in events:
        rows[event_row["case__office_id"]]["events"] = event_row["n"]
    offices = Office.objects.filter(pk__in=rows).order_by("name")
    return [{"office": office, **rows[office.pk]} for office in offices]
