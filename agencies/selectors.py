"""Reads of the agency directory."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from agencies.models import Agency, AgreementPeriod, AgreementStatus


@dataclass(frozen=True)
class AgencyStanding:
    """An agency's 287(g) position on one date: models in force, and pending ones."""

    active: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    ended: tuple[str, ...] = field(default=())


def agency_standings_on(*, agency_ids, on_date: dt.date) -> dict[int, AgencyStanding]:
    """Models each agency had in force (and pending, and already ended) on `on_date`.

    One query for any number of agencies. An agreement is in force on a date when one
    of its active periods covers it: periods are [start, end).
    """
    ids = [i for i in set(agency_ids) if i]
    if not ids:
        return {}
    periods = AgreementPeriod.objects.filter(
        agreement__agency_id__in=ids, start__lte=on_date
    ).values_list("agreement__agency_id", "agreement__model", "status", "end")
    found: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for agency_id, model, status, end in periods:
        covers = end is None or end > on_date
        if covers:
            found[agency_id][status].add(model)
        elif status == AgreementStatus.ACTIVE:
            found[agency_id]["ended"].add(model)
    result = {}
    for agency_id in ids:
        bucket = found.get(agency_id, {})
        active = bucket.get(AgreementStatus.ACTIVE, set())
        result[agency_id] = AgencyStanding(
            active=tuple(sorted(active)),
            pending=tuple(sorted(bucket.get(AgreementStatus.PENDING, set()) - active)),
            ended=tuple(sorted(bucket.get("ended", set()) - active)),
        )
    return result


def agency_search(*, q: str = "", state: str = "") -> QuerySet[Agency]:
    """Agencies whose name or any alias contains `q`, optionally within a state."""
    qs = Agency.objects.all()
    if state:
        qs = qs.filter(state=state.upper())
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(aliases__name__icontains=q)).distinct()
    return qs.order_by("state", "name")
