"""The quarterly report's figures: de-identified aggregates, small counts suppressed.

Every count is `matching(...)` (the case list's FilterSets over the requester's visible
records) with the parameters printed as its link; nothing here names a client.
"""

from __future__ import annotations

import functools
from collections import Counter as Tally

from django.db.models import Count, F, Q

from accounts.access import access_for
from accounts.models import Office
from agencies.models import (
    Agency,
    AgreementChange,
    AgreementImport,
    AgreementPeriod,
    AgreementStatus,
    ChangeKind,
    ImportStatus,
    Model287g,
)
from cases.filters import MODEL_CHOICES
from cases.models import DetentionOutcome, Encounter
from reports.figures.base import (
    CASES,
    EVENTS,
    WITHHELD,
    Cell,
    Counts,
    Table,
    days_between,
    list_url,
    matching,
)
from reports.figures.charts import hbar_chart
from reports.params import Quarter, quarter_from_params, scope_label

TOP_AGENCIES = 20
TOP_COUNTIES_IN_PDF = 25
CHART_WIDTH = 300  # CSS px; fits beside a table in half the page

# (key, label, list, extra filter parameters); QuarterScope.figure_params sets the base.
HEADLINE = [
    ("intakes", "Intakes received", CASES, {}),
    ("cases", "New cases opened", CASES, {}),
    ("events", "Detention events (arrests and bookings)", EVENTS, {}),
    ("detained_cases", "Cases with a detention", CASES, {}),
    ("detainers", "ICE detainers lodged", EVENTS, {"detainer": "true"}),
    ("transfers", "Transfers to ICE custody", EVENTS, {"transferred": "true"}),
    ("released", "Released", EVENTS, {"outcome": DetentionOutcome.RELEASED}),
    ("bonds", "Released on bond", EVENTS, {"outcome": DetentionOutcome.BOND_POSTED}),
    ("removals", "Removed", EVENTS, {"outcome": DetentionOutcome.REMOVED}),
]


class QuarterScope:
    """One quarter seen by one requester, optionally one office: the base parameters."""

    def __init__(self, *, user, quarter: Quarter, office: str | None):
        self.user, self.quarter, self.office = user, quarter, office
        extra = {"office": office} if office else {}
        self.events = {
            "date_after": quarter.start.isoformat(),
            "date_before": quarter.end.isoformat(),
            **extra,
        }
        self.cases = {
            "opened_after": quarter.start.isoformat(),
            "opened_before": quarter.end.isoformat(),
            **extra,
        }

    def params(self, target: str, **more) -> dict:
        return {**(self.events if target == EVENTS else self.cases), **more}

    def figure_params(self, key: str, target: str, more: dict) -> dict:
        if key == "detained_cases":  # cases with an event in the quarter, not opened in it
            return {**self.events, **more}
        if key == "intakes":  # cases whose intake was received in the quarter
            office = {"office": self.office} if self.office else {}
            return {
                "intake_after": self.quarter.start.isoformat(),
                "intake_before": self.quarter.end.isoformat(),
                **office,
            }
        return self.params(target, **more)

    def qs(self, target: str, **more):
        return matching(user=self.user, target=target, params=self.params(target, **more))

    def url(self, target: str, **more) -> str:
        return list_url(target, self.params(target, **more))

    def count(self, key: str, target: str, more: dict) -> int:
        params = self.figure_params(key, target, more)
        return matching(user=self.user, target=target, params=params).count()


def _headline(now: QuarterScope, before: QuarterScope, counts: Counts) -> tuple[Table, dict]:
    table = Table(
        "headline",
        "Headline figures",
        ["Figure", now.quarter.short_label, before.quarter.short_label, "Change"],
    )
    raw = {}
    for key, label, target, more in HEADLINE:
        current = now.count(key, target, more)
        previous = before.count(key, target, more)
        raw[key] = current
        table.add(
            Cell(label),
            counts.cell(current, list_url(target, now.figure_params(key, target, more))),
            counts.cell(previous, list_url(target, before.figure_params(key, target, more))),
            counts.change(current, previous),
        )
    return table, raw


def _models(scope: QuarterScope, counts: Counts) -> Table:
    table = Table(
        "models",
        "Events by 287(g) model in force that day",
        ["Model", "Arresting agency", "Custody (booking) agency"],
        note="An agency can hold agreements under several models, so rows can overlap.",
    )
    for value, label in MODEL_CHOICES:
        cells = []
        for role in ("arresting_model", "custody_model"):
            url = scope.url(EVENTS, **{role: value})
            cells.append(counts.cell(scope.qs(EVENTS, **{role: value}).count(), url))
        name = f"{label} ({value})" if value != "none" else label
        table.add(Cell(name), *cells)
    return table


WITHHELD_NOTE = (
    "* withheld so that a count below the threshold cannot be worked out by subtraction."
)


def _note_withheld(table: Table, cells: list[Cell]) -> None:
    if any(cell.text == WITHHELD for cell in cells):
        table.note = " ".join(p for p in (table.note, WITHHELD_NOTE) if p)


def _encounters(scope: QuarterScope, counts: Counts, total: int, total_cell: Cell) -> Table:
    table = Table("encounters", "Events by encounter", ["Encounter", "Events", "Share"])
    for value, label in Encounter.choices:
        n = scope.qs(EVENTS, encounter=value).count()
        url = scope.url(EVENTS, encounter=value)
        table.add(Cell(label), counts.cell(n, url), counts.share(n, total))
    counts.relate(total_cell, [row[1] for row in table.rows])
    for row in table.rows:
        if row[1].text == WITHHELD:
            row[2] = Cell(WITHHELD, None, numeric=True)
    return table


def _agencies(scope: QuarterScope, counts: Counts) -> tuple[Table, int]:
    """Top agencies by events they arrested or held the client in (either role)."""
    qs = scope.qs(EVENTS)
    arrests = Tally(
        dict(
            qs.filter(arresting_agency__isnull=False)
            .values_list("arresting_agency")
            .annotate(n=Count("id"))
        )
    )
    custody = Tally(
        dict(
            qs.filter(custody_agency__isnull=False)
            .values_list("custody_agency")
            .annotate(n=Count("id"))
        )
    )
    both = Tally(
        dict(
            qs.filter(custody_agency=F("arresting_agency"))
            .values_list("arresting_agency")
            .annotate(n=Count("id"))
        )
    )
    either = arrests + custody
    either.subtract(both)
    unlinked = qs.filter(arresting_agency__isnull=True, custody_agency__isnull=True).count()
    agencies = {
        a["id"]: a
        for a in Agency.objects.filter(id__in=list(either)).values(
            "id", "public_id", "name", "state"
        )
    }

    def rank(agency_id) -> float:
        # By the printed count (suppressed ones alike), so the order reveals no more.
        printed = counts.published(either[agency_id])
        return -(1 if printed is None else printed)

    ranked = sorted(either, key=lambda i: (rank(i), agencies[i]["name"]))
    shown = ranked[:TOP_AGENCIES]
    if len(ranked) > TOP_AGENCIES:
        # Ties at the cut are all included, never broken by name.
        last = rank(shown[-1])
        shown = [i for i in ranked if rank(i) <= last]
    more = f" (top {len(shown)} of {len(ranked)})" if len(ranked) > len(shown) else ""
    table = Table(
        "agencies",
        f"Agencies involved{more}",
        ["Agency", "State", "Events (either role)", "Arrested", "Held (booking)"],
        numeric_from=2,
    )
    if len(shown) > TOP_AGENCIES:
        table.note = (
            f"The {TOP_AGENCIES} agencies with most events, and every agency tied with the "
            f"last of them ({len(shown)} in all)."
        )
    for agency_id in shown:
        agency = agencies[agency_id]
        uid = str(agency["public_id"])
        table.add(
            Cell(agency["name"]),
            Cell(agency["state"]),
            counts.cell(either[agency_id], scope.url(EVENTS, agency=uid)),
            counts.cell(arrests[agency_id], scope.url(EVENTS, arresting_agency=uid)),
            counts.cell(custody[agency_id], scope.url(EVENTS, custody_agency=uid)),
        )
    return table, unlinked


def _places(scope: QuarterScope, counts: Counts, total_cell: Cell) -> tuple[Table, Table]:
    qs = scope.qs(EVENTS)
    states = Table("states", "Events by state", ["State", "Events"])
    by_state = qs.values_list("state").annotate(n=Count("id")).order_by("-n", "state")
    for state, n in by_state:
        states.add(Cell(state), counts.cell(n, scope.url(EVENTS, state=state)))
    counts.relate(total_cell, [row[1] for row in states.rows])

    counties = Table(
        "counties",
        "Events by county",
        ["State", "County", "Events"],
        numeric_from=2,
    )
    rows = list(
        qs.values_list("state", "county").annotate(n=Count("id")).order_by("-n", "state", "county")
    )
    for state, county, n in rows:
        where = {"county": county} if county else {"county_recorded": "false"}
        url = scope.url(EVENTS, state=state, **where)
        counties.add(Cell(state), Cell(county or "(county not recorded)"), counts.cell(n, url))
    for state_row in states.rows:
        parts = [row[2] for row in counties.rows if row[0].text == state_row[0].text]
        counts.relate(state_row[1], parts)
    if len(rows) > TOP_COUNTIES_IN_PDF:
        counties.note = (
            f"The {TOP_COUNTIES_IN_PDF} counties with most events; "
            f"all {len(rows)} are in the CSV/XLSX."
        )
    return states, counties


def _months(
    now: QuarterScope, before: QuarterScope, counts: Counts, totals: tuple[Cell, Cell]
) -> Table:
    """Events per month of both quarters (previous first): the chart's bars, and a table
    for the companions and the sources page (each bar's link)."""
    table = Table("months", "Detention events by month", ["Month", "Events"], in_pdf=False)
    for scope, total in zip((before, now), totals, strict=True):
        cells = []
        for first, last in scope.quarter.months():
            params = {
                **scope.params(EVENTS),
                "date_after": first.isoformat(),
                "date_before": last.isoformat(),
            }
            n = matching(user=scope.user, target=EVENTS, params=params).count()
            cells.append(counts.cell(n, list_url(EVENTS, params)))
            table.add(Cell(first.strftime("%B %Y")), cells[-1])
        counts.relate(total, cells)
    return table


def _durations(scope: QuarterScope, counts: Counts) -> Table:
    table = Table("durations", "Time in custody", ["Measure", "Median"])
    transfers = scope.qs(EVENTS, transferred="true").values_list("event_date", "transfer_date")
    table.add(
        Cell("Days from arrest to transfer to ICE custody"),
        counts.median(days_between(transfers), scope.url(EVENTS, transferred="true")),
    )
    outcomes = [DetentionOutcome.RELEASED, DetentionOutcome.BOND_POSTED]
    releases = scope.qs(EVENTS, outcome=outcomes).values_list("event_date", "outcome_date")
    table.add(
        Cell("Days from arrest to release (released or bond posted)"),
        counts.median(days_between(releases), scope.url(EVENTS, outcome=outcomes)),
    )
    return table


def _active_on(day) -> dict[str, int]:
    rows = (
        AgreementPeriod.objects.filter(status=AgreementStatus.ACTIVE, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=day))
        .values_list("agreement__model")
        .annotate(n=Count("agreement", distinct=True))
    )
    return dict(rows)


def _changed(quarter: Quarter, condition: Q) -> dict[str, int]:
    rows = (
        AgreementChange.objects.filter(
            condition, effective_on__gte=quarter.start, effective_on__lte=quarter.end
        )
        .values_list("agreement__model")
        .annotate(n=Count("agreement", distinct=True))
    )
    return dict(rows)


SIGNED = Q(kind=ChangeKind.SIGNED) | Q(kind=ChangeKind.CREATED, after__status="active")
ENDED = Q(kind=ChangeKind.ENDED)


def _directory(quarter: Quarter) -> dict:
    """Agreements in force and their changes, from the import history (public data)."""
    start, end = _active_on(quarter.start), _active_on(quarter.end)
    signed, ended = _changed(quarter, SIGNED), _changed(quarter, ENDED)
    table = Table(
        "agreements",
        "287(g) agreements in the directory",
        [
            "Model",
            f"Active {quarter.start.isoformat()}",
            f"Active {quarter.end.isoformat()}",
            "Signed in quarter",
            "Ended in quarter",
        ],
    )
    for model in [*Model287g.values, None]:
        label = f"{Model287g(model).label} ({model})" if model else "All models"
        pick = (lambda d, m=model: d.get(m, 0)) if model else (lambda d: sum(d.values()))
        table.add(
            Cell(label),
            *(Cell(f"{pick(d):,}", pick(d), numeric=True) for d in (start, end, signed, ended)),
        )
    changes = Table(
        "agreement_changes",
        "Agreements signed or ended in the quarter",
        ["Date", "Change", "Agency", "State", "Model"],
        in_pdf=False,
    )
    for row in (
        AgreementChange.objects.filter(SIGNED | ENDED)
        .filter(effective_on__gte=quarter.start, effective_on__lte=quarter.end)
        .order_by("effective_on", "agreement__agency__name", "agreement__model")
        .values_list(
            "effective_on",
            "kind",
            "agreement__agency__name",
            "agreement__agency__state",
            "agreement__model",
        )
    ):
        date, kind, name, state, model = row
        changes.add(date, "ended" if kind == ChangeKind.ENDED else "signed", name, state, model)
    imports = AgreementImport.objects.filter(
        status__in=[ImportStatus.DONE, ImportStatus.NOOP], list_date__isnull=False
    )
    first = (
        imports.filter(list_date__lte=quarter.start)
        .order_by("-list_date")
        .values_list("list_date", flat=True)
        .first()
    )
    lists = (
        imports.filter(list_date__lte=quarter.end, list_date__gte=first or quarter.start)
        .order_by("list_date", "list_kind")
        .values_list("list_date", "list_kind")
        .distinct()
    )
    table.note = directory_note(quarter.start, quarter.end)
    return {"table": table, "changes": changes, "lists": list(lists), "note": table.note}


def directory_note(start, end) -> str:
    """Where the directory figures for start..end come from, in the same words in every
    report: imported ICE lists, or, before the first one, ICE's signed and end dates."""
    first = (
        AgreementImport.objects.filter(
            status__in=[ImportStatus.DONE, ImportStatus.NOOP], list_date__isnull=False
        )
        .order_by("list_date")
        .values_list("list_date", flat=True)
        .first()
    )
    if first is None:
        return "No ICE 287(g) list has been imported yet: there are no directory figures."
    if first <= start:
        return ""
    dated = f"{first:%-d %B %Y}"
    if first > end:
        return (
            "Before the first imported ICE list (dated "
            f"{dated}), agreements in force are reconstructed from the signed and end "
            "dates that list gives, not read from a list of the time."
        )
    return (
        f"Until the first imported ICE list (dated {dated}), agreements in force are "
        "reconstructed from the signed and end dates that list gives; from then on they "
        "are read from the imported lists."
    )


def _figures(*, user, quarter: Quarter, office: str | None, counts: Counts) -> dict:
    """The tables of one quarterly report, over `user`'s records (None: every office)."""
    now = QuarterScope(user=user, quarter=quarter, office=office)
    before = QuarterScope(user=user, quarter=quarter.previous, office=office)
    headline, raw = _headline(now, before, counts)
    models = _models(now, counts)
    events_row = next(row for row in headline.rows if row[0].text == HEADLINE[2][1])
    encounters = _encounters(now, counts, raw["events"], events_row[1])
    agencies, unlinked = _agencies(now, counts)
    states, counties = _places(now, counts, events_row[1])
    durations = _durations(now, counts)
    no_prior = now.qs(EVENTS, no_prior="true").count()
    no_prior_cell = counts.share(no_prior, raw["events"], now.url(EVENTS, no_prior="true"))
    durations.add(Cell("Share of events with no prior criminal record"), no_prior_cell)
    months = _months(now, before, counts, (events_row[2], events_row[1]))
    records = [
        f"event {i}"
        for scope in (before, now)
        for i in scope.qs(EVENTS).values_list("id", flat=True)
    ]
    return {
        "record_ids": sorted(records),
        "headline": headline,
        "models": models,
        "encounters": encounters,
        "agencies": agencies,
        "unlinked_events": counts.text(unlinked),
        "states": states,
        "counties": counties,
        "durations": durations,
        "months": months,
        "sources": {"events_base": now.url(EVENTS), "cases_base": now.url(CASES)},
    }


# Tables whose cells add up across offices, and their count columns.
ADDITIVE = {
    "headline": (1, 2),
    "models": (1, 2),
    "encounters": (1,),
    "agencies": (2, 3, 4),
    "states": (1,),
    "counties": (2,),
    "months": (1,),
}


def _cells(figures: dict) -> dict[tuple, Cell]:
    out = {}
    for key, columns in ADDITIVE.items():
        table = figures[key]
        for row in table.rows:
            label = tuple(c.text for c in row[: table.numeric_from])
            for column in columns:
                out[key, label, column] = row[column]
    return out


def _relate_family(counts: Counts, total: dict, parts: list[dict]) -> None:
    """Secondary suppression across reports: a union of offices is the sum of its
    offices' reports, figure by figure, so each figure is one more additive relation."""
    whole = _cells(total)
    pieces = [_cells(part) for part in parts]
    cut = [part["agencies"].title != "Agencies involved" for part in parts]
    for key, cell in whole.items():
        row = []
        for piece, truncated in zip(pieces, cut, strict=True):
            if key in piece:
                row.append(piece[key])
            elif key[0] == "agencies" and truncated:
                break  # outside an office's top N: unknown there, no relation to attack
            else:
                row.append(Cell("0", 0, numeric=True))
        else:
            counts.relate(cell, row)


def _withheld_follow_through(figures: dict) -> None:
    """A change or share next to a suppressed count is suppressed too."""
    events = next(row for row in figures["headline"].rows if row[0].text == HEADLINE[2][1])
    if events[1].text == WITHHELD:
        for row in [*figures["encounters"].rows, figures["durations"].rows[-1]]:
            row[-1] = Cell(WITHHELD, None, row[-1].url, numeric=True)
    for row in figures["headline"].rows:
        if WITHHELD in (row[1].text, row[2].text):
            row[3] = Cell("—", None, numeric=True)
    for row in figures["encounters"].rows:
        if row[1].text == WITHHELD:
            row[2] = Cell(WITHHELD, None, numeric=True)
    for key in ADDITIVE:
        cells = [c for row in figures[key].rows for c in row]
        _note_withheld(figures[key], cells)


def _family(*, user, quarter: Quarter, office: str | None, counts: Counts) -> dict:
    """The requested report's figures, protected against every report a user can hold
    for the same quarter: each office's, all offices', and the requester's own offices'
    (a fiscal quarter is a calendar quarter, so it is the same family).

    Without suppression (privileged use) there is nothing to protect: just the figures."""
    build = functools.partial(_figures, quarter=quarter, counts=counts)
    if not counts.threshold:
        return build(user=user, office=office)
    codes = list(Office.objects.order_by("code").values_list("code", flat=True))
    offices = {code: build(user=None, office=code) for code in codes}
    everything = build(user=None, office=None)
    _relate_family(counts, everything, list(offices.values()))
    mine = access_for(user).case_office_ids
    requested = offices[office] if office else everything
    if not office and mine is not None:
        requested = build(user=user, office=None)
        own = Office.objects.filter(id__in=mine).order_by("code").values_list("code", flat=True)
        _relate_family(counts, requested, [offices[code] for code in own])
    counts.settle()
    for figures in (requested, *offices.values(), everything):
        _withheld_follow_through(figures)
    return requested  # its links are the same: they hold only filter parameters


def quarterly_content(*, user, params: dict, counts: Counts) -> dict:
    quarter = quarter_from_params(params)
    office = params.get("office")
    figures = _family(user=user, quarter=quarter, office=office, counts=counts)
    models, encounters, months = figures["models"], figures["encounters"], figures["months"]
    directory = _directory(quarter)
    # Charts last: they take their bars from the cells as finally printed.
    months_chart = hbar_chart(
        title="Detention events by month",
        labels=[row[0].text for row in months.rows],
        series=[  # this quarter first: it gets the darker fill
            (quarter.short_label, [None, None, None, *(row[1] for row in months.rows[3:])]),
            (
                quarter.previous.short_label,
                [*(row[1] for row in months.rows[:3]), None, None, None],
            ),
        ],
    )
    model_chart = hbar_chart(
        title="Events by 287(g) model in force that day",
        labels=[value for value, _label in MODEL_CHOICES],
        series=[
            ("Arresting agency", [row[1] for row in models.rows]),
            ("Custody agency", [row[2] for row in models.rows]),
        ],
        width=CHART_WIDTH,
        label_width=60,
    )
    seen = [row for row in encounters.rows if row[1].text != "0"]
    encounter_chart = hbar_chart(
        title="Events by encounter (encounters with none left out)",
        labels=[row[0].text for row in seen],
        series=[("Events", [row[1] for row in seen])],
        width=CHART_WIDTH,
        label_width=120,
    )
    tables = [
        figures[key]
        for key in (
            "headline",
            "models",
            "encounters",
            "agencies",
            "states",
            "counties",
            "months",
            "durations",
        )
    ]
    return {
        **figures,
        "quarter": quarter,
        "previous": quarter.previous,
        "scope_label": scope_label(user, office),
        "counties_shown": figures["counties"].rows[:TOP_COUNTIES_IN_PDF],
        "charts": {
            "months": months_chart,
            "models": model_chart,
            "encounters": encounter_chart,
        },
        "directory": directory,
        "tables": [*tables, directory["table"], directory["changes"]],
    }
