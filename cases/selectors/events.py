"""Detention events: the visible ones, one event, lists, and an agency's events."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from agencies.selectors import models_in_force
from cases.models import DetentionEvent
from cases.selectors.cases import cases_visible
from caseworker.lib.lookup import object_get_or_404


def events_visible(*, user) -> QuerySet[DetentionEvent]:
    return DetentionEvent.objects.filter(case__in=cases_visible(user=user)).select_related(
        "case", "arresting_agency", "custody_agency"
    )


def either_agency(agency_id) -> Q:
    return Q(arresting_agency_id=agency_id) | Q(custody_agency_id=agency_id)


def event_get_for_user(*, user, public_id) -> DetentionEvent:
    events = events_visible(user=user).select_related("case__client", "case__office")
    return object_get_or_404(events, message="No such detention event", public_id=public_id)


def events_for_list(*, user) -> QuerySet[DetentionEvent]:
    return events_visible(user=user).select_related(
        "case__client", "case__office", "arresting_agency", "custody_agency"
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


def events_directory_flagged(*, user) -> QuerySet[DetentionEvent]:
    """Events whose stored 287(g) snapshot the rebuilt directory history reads differently."""
    return (
        events_visible(user=user)
        .filter(directory_flagged_at__isnull=False)
        .select_related("case__client", "arresting_agency", "custody_agency")
        .order_by("directory_flagged_at", "event_date", "id")
    )


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
