"""Building blocks of every report: filtered querysets, linked cells, tables, suppression.

A figure is a count over `cases.filters` FilterSets applied to the requester's visible
records, so the link printed next to it (`SITE_URL` + case list + the same query
string) shows exactly the records it counts.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse

from accounts.access import access_for
from cases.filters import CaseFilterSet, DetentionEventFilterSet
from cases.models import Case, DetentionEvent
from cases.selectors import cases_visible, events_visible

EVENTS = "events"
CASES = "cases"
_ROUTES = {EVENTS: "cases:events", CASES: "cases:list"}
_FILTERSETS = {EVENTS: DetentionEventFilterSet, CASES: CaseFilterSet}


WITHHELD = "*"  # a printed count withheld by secondary suppression


class FigureFilterError(ValueError):
    """A report asked the case list for a filter it rejects: a bug, never a silent miss."""


def query_string(params: dict) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")}, doseq=True)


def list_url(target: str, params: dict) -> str:
    """The absolute case-list (or event-list) URL that reproduces a figure."""
    return f"{settings.SITE_URL}{reverse(_ROUTES[target])}?{query_string(params)}"


def matching(*, user, target: str, params: dict, privileged: bool = False) -> QuerySet:
    """What the case list shows `user` for `params`: parsed from the very query string the
    report prints, through the list's own FilterSet. Unordered, ready to aggregate.

    `privileged` narrows it to the offices whose privileged work the user may read;
    `user=None` is every office's live records."""
    if user is None:  # every office: only to decide what a de-identified report hides
        visible = (
            DetentionEvent.objects.filter(case__archived_at__isnull=True)
            if target == EVENTS
            else Case.objects.filter(archived_at__isnull=True)
        )
    else:
        visible = events_visible(user=user) if target == EVENTS else cases_visible(user=user)
    if privileged:
        offices = access_for(user).privileged_office_ids
        visible = visible.filter(
            **{"case__office_id__in" if target == EVENTS else "office_id__in": offices}
        )
    filterset = _FILTERSETS[target](QueryDict(query_string(params)), queryset=visible, request=None)
    if not filterset.is_valid():
        raise FigureFilterError(f"{target} filter rejected {params!r}: {filterset.errors}")
    return filterset.qs.order_by()


@dataclass
class Cell:
    """One table cell: what the PDF shows, the raw value for CSV/XLSX, and a link."""

    text: str
    value: object = None
    url: str = ""
    numeric: bool = False

    @property
    def export_value(self):
        return self.text if self.value is None else self.value


@dataclass
class Table:
    """A table of the report. Every table also goes to the companion CSV and XLSX."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""
    in_pdf: bool = True
    numeric_from: int = 1  # columns from this index on are numbers (right-aligned)

    def add(self, *cells) -> None:
        self.rows.append([c if isinstance(c, Cell) else text_cell(c) for c in cells])


def text_cell(value) -> Cell:
    if value is None:
        return Cell("")
    if isinstance(value, bool):
        return Cell("Yes" if value else "No", value)
    if isinstance(value, dt.date):
        return Cell(value.isoformat(), value)
    return Cell(str(value), value)


class Counts:
    """Formats the counts of one report under its disclosure control.

    De-identified reports use small-cell suppression with rounding to base
    `REPORT_ROUNDING_BASE` (the method national statistics offices publish under): a
    count from 0 to threshold - 1 prints as "<threshold"; every other count prints
    rounded to the nearest multiple of the base (halves up), so a total minus its parts
    leaves an uncertainty of several units, never a small count (0 is a small count too:
    "<5" is 0 to 4). Changes and shares are
    computed from the rounded counts only; a median needs `REPORT_MEDIAN_MIN_N` values
    and prints its n rounded. The same rule gives the same figure in every report of a
    family (each office, all offices, calendar or fiscal quarter), so subtracting one
    report from another also leaves the rounding uncertainty.

    `threshold=None` (privileged reports) prints every count exactly.
    """

    def __init__(self, threshold: int | None):
        self.threshold = threshold
        self.base = settings.REPORT_ROUNDING_BASE if threshold else 1
        self.median_min_n = max(settings.REPORT_MEDIAN_MIN_N, threshold) if threshold else 1
        self.relations: list[tuple[Cell, list[Cell]]] = []

    def small(self, n: int | None) -> bool:
        # Zero too: a printed 0 next to a hidden total would tell the rest is not small.
        return bool(self.threshold) and n is not None and 0 <= n < self.threshold

    def published(self, n: int) -> int | None:
        """The value a reader sees: None when suppressed, else rounded to the base."""
        if self.small(n):
            return None
        return (2 * n + self.base) // (2 * self.base) * self.base

    def text(self, n: int) -> str:
        shown = self.published(n)
        return f"<{self.threshold}" if shown is None else f"{shown:,}"

    def cell(self, n: int, url: str = "") -> Cell:
        return Cell(self.text(n), self.published(n), url, numeric=True)

    def change(self, now: int, before: int) -> Cell:
        """Change against the previous period, from the published counts; hidden when
        either side is suppressed."""
        now, before = self.published(now), self.published(before)
        if now is None or before is None:
            return Cell("—", None, numeric=True)
        diff = now - before
        text = f"{diff:+,}" if diff else "0"
        if before and diff:
            ratio = diff / before
            # A change too small to show as a whole percent is "<1%", never "−0%".
            text += (
                f" ({ratio:+.0%})" if abs(ratio) >= 0.005 else f" ({'+' if diff > 0 else '-'}<1%)"
            )
        return Cell(text.replace("-", "−"), diff, numeric=True)

    def share(self, part: int, whole: int, url: str = "") -> Cell:
        """Share of a whole, from the published counts; hidden when the part or the
        rest is suppressed."""
        if not whole:
            return Cell("—", None, url, numeric=True)
        if self.small(part) or self.small(whole - part) or self.small(whole):
            return Cell("suppressed", None, url, numeric=True)
        part, whole = self.published(part), self.published(whole)
        return Cell(
            f"{part / whole:.0%} ({part:,} of {whole:,})", round(part / whole, 4), url, True
        )

    def bounds(self, cell: Cell) -> tuple[float, float]:
        """What a reader can infer about the true count behind a printed cell."""
        if cell.text == WITHHELD:
            return (0, math.inf)
        if cell.value is None:
            return (0, self.threshold - 1)
        half = self.base // 2
        return (max(self.threshold, cell.value - half), cell.value + half)

    def relate(self, total: Cell, parts: list[Cell]) -> None:
        """Record that `total` is the sum of `parts` (a table's rows, or offices' figures
        adding up to all offices'); `settle` protects every recorded relation."""
        if self.threshold:
            self.relations.append((total, parts))

    def settle(self) -> None:
        """Secondary suppression over every recorded relation until none changes: one
        withholding can open another relation (a withheld total is a part elsewhere)."""
        while any([self.protect(total, parts) for total, parts in self.relations]):
            pass

    def protect(self, total: Cell, parts: list[Cell]) -> bool:
        """Secondary suppression for one additive relation (total = sum of parts);
        True if it changed a cell.

        Rounding usually leaves a suppressed part its whole range 1..threshold-1, not
        always (a printed total of 10 and a printed part of 10 leave two hidden parts at
        most 4 together). When it happens, print the relation's suppressed parts as "*"
        (known only to be 0 or more), and while that is not enough withhold the smallest
        printed part as "*" too (or, with none left, the total): a reader cannot tell a
        small count from a withheld one."""
        changed = False
        while total.value is not None and self._narrowed(total, parts):
            changed = True
            hidden = [c for c in parts if c.value is None]
            if hidden[0].text == WITHHELD:
                shown = [c for c in parts if c.value]
                victim = min(shown, key=lambda c: c.value) if shown else total
                victim.value, victim.text = None, WITHHELD
            for cell in parts:
                if cell.value is None:
                    cell.text = WITHHELD
        return changed

    def _narrowed(self, total: Cell, parts: list[Cell]) -> bool:
        """Whether the relation pins a suppressed part to less than its whole range."""
        hidden = [c for c in parts if c.value is None]
        if not hidden:
            return False
        low, high = self.bounds(total)
        for cell in parts:
            if cell.value is not None:
                lo, hi = self.bounds(cell)
                low, high = low - hi, high - lo
        m, top = len(hidden), self.threshold - 1
        if hidden[0].text == WITHHELD:  # each part 0 or more, nothing more known
            return m < 2 or high < top
        low, high = max(low, 0), min(high, m * top)  # the hidden parts' sum
        return high < top or low - (m - 1) * top > 0

    def median(self, values: list[int], url: str = "") -> Cell:
        """Median days, with the (published) number of events it is based on."""
        if not values:
            return Cell("—", None, url, numeric=True)
        if len(values) < self.median_min_n:
            return Cell(f"not shown (n < {self.median_min_n})", None, url, numeric=True)
        med = statistics.median(values)
        unit = "day" if med == 1 else "days"
        approx = "≈ " if self.base > 1 else "= "
        return Cell(f"{med:g} {unit} (n {approx}{self.published(len(values)):,})", med, url, True)


def days_between(pairs) -> list[int]:
    return [(later - earlier).days for earlier, later in pairs if earlier and later]
