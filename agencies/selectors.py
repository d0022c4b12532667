"""Reads of the agency directory."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from agencies.importer import history
from agencies.importer.normalize import agency_match_key
from agencies.models import (
    Agency,
    Agreement,
    AgreementChange,
    AgreementImport,
    AgreementPeriod,
    AgreementStatus,
    ChangeKind,
    ImportStatus,
    Model287g,
)


@dataclass(frozen=True)
class AgencyStanding:
    """An agency's 287(g) position on one date: models in force, and pending ones.

    `evidence` pairs each model in force with why: the ICE list (date, file, row) showing
    it on or before that date, or the signed date that extends it back before its first
    listing (agencies.importer.history.evidence).
    """

    active: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    ended: tuple[str, ...] = field(default=())
    evidence: tuple[tuple[str, str], ...] = ()


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
    ).values_list(
        "agreement__agency_id", "agreement__model", "status", "start", "end", "listed_from",
        "signed_on", "listings",
    )  # fmt: skip
    found: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    why: dict[int, dict[str, str]] = defaultdict(dict)
    for agency_id, model, status, start, end, listed_from, signed_on, listings in periods:
        covers = end is None or end > on_date
        if covers:
            found[agency_id][status].add(model)
            if status == AgreementStatus.ACTIVE:
                why[agency_id][model] = history.evidence(
                    status=status, start=start, listed_from=listed_from, signed_on=signed_on,
                    listings=listings, on=on_date,
                )  # fmt: skip
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
            evidence=tuple(sorted(why.get(agency_id, {}).items())),
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


# The agency picker (intake and event forms) --------------------------------------

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


# Directory pages ---------------------------------------------------------------------


def agencies_directory() -> QuerySet[Agency]:
    """Every agency with its agreements (for badges), filtered by AgencyFilterSet."""
    return Agency.objects.prefetch_related(
        Prefetch("agreements", queryset=Agreement.objects.order_by("model"))
    )


def directory_counts(*, agencies: QuerySet[Agency]) -> dict:
    """How many agencies, and their agreements by status and model (two queries)."""
    rows = (
        Agreement.objects.filter(agency__in=agencies.values("pk"))
        .values_list("status", "model")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_status: dict[str, dict[str, int]] = defaultdict(dict)
    for status, model, n in rows:
        by_status[status][model] = n
    table = [
        {
            "status": status,
            "label": label,
            "models": [(model, by_status.get(status, {}).get(model, 0)) for model in Model287g],
            "total": sum(by_status.get(status, {}).values()),
        }
        for status, label in AgreementStatus.choices
    ]
    return {"agencies": agencies.order_by().count(), "table": table}


def agency_get(*, public_id) -> Agency:
    try:
        return Agency.objects.prefetch_related("aliases").get(public_id=public_id)
    except (Agency.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404("No such agency") from None


def agency_agreements(*, agency: Agency) -> list[Agreement]:
    """The agency's agreements with their spells and recorded changes (three queries)."""
    return list(
        agency.agreements.order_by("model").prefetch_related(
            Prefetch("periods", queryset=AgreementPeriod.objects.order_by("start", "id")),
            Prefetch(
                "changes",
                queryset=AgreementChange.objects.select_related("agreement_import").order_by(
                    "effective_on", "id"
                ),
            ),
        )
    )


def models_in_force(agreements: list[Agreement], on_date: dt.date) -> tuple[str, ...]:
    """Models with an active spell covering `on_date`, from prefetched periods, in the
    order of Model287g (the order of the badges stored on detention events)."""
    found = {
        agreement.model
        for agreement in agreements
        for period in agreement.periods.all()
        if period.status == AgreementStatus.ACTIVE
        and period.start <= on_date
        and (period.end is None or period.end > on_date)
    }
    return tuple(model for model in Model287g.values if model in found)


def import_get(*, public_id) -> AgreementImport:
    try:
        return AgreementImport.objects.select_related("requested_by").get(public_id=public_id)
    except (AgreementImport.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404("No such import") from None


def import_applied_twin(*, run: AgreementImport) -> AgreementImport | None:
    """For a no-op: the import that applied the same content."""
    if not run.content_hash:
        return None
    return (
        AgreementImport.objects.filter(status=ImportStatus.DONE, content_hash=run.content_hash)
        .exclude(pk=run.pk)
        .first()
    )


def changes_grouped(*, changes: QuerySet[AgreementChange], per_kind: int = 100) -> list[dict]:
    """Changes by kind (in ChangeKind order) with agency names; at most `per_kind` shown each.

    Two queries: the counts, then the newest rows of each kind (a window function).
    """
    counts = dict(changes.values_list("kind").annotate(n=Count("id")).order_by())
    ranked = (
        changes.select_related("agreement__agency", "agreement_import")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("kind")],
                order_by=[F("effective_on").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=per_kind)
        .order_by("-effective_on", "agreement__agency__name", "id")
    )
    rows_by_kind: dict[str, list[AgreementChange]] = defaultdict(list)
    if counts:
        for change in ranked:
            rows_by_kind[change.kind].append(change)
    return [
        {"kind": kind, "label": label, "count": counts[kind], "rows": rows_by_kind[kind]}
        for kind, label in ChangeKind.choices
        if counts.get(kind)
    ]
