"""Building blocks of every report: filtered querysets, linked cells, tables, suppression.

A figure is a count over `cases.filters` FilterSets applied to the requester's visible
records, so the link printed next to it (`SITE_URL` + case list + the same query
string) shows exactly the records it counts.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse

from accounts.access import access_for
from cases.filters import CaseFilterSet, DetentionEventFilterSet
from cases.selectors import cases_visible, events_visible

EVENTS = "events"
CASES = "cases"
_ROUTES = {EVENTS: "cases:events", CASES: "cases:list"}
_FILTERSETS = {EVENTS: DetentionEventFilterSet, CASES: CaseFilterSet}


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

    `privileged` narrows it to the offices whose privileged work the user may read."""
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
    """Formats counts for one report: exact, or with small counts shown as "<N".

    `threshold=None` (privileged reports) prints every count exactly.
    """

    def __init__(self, threshold: int | None):
        self.threshold = threshold

    def small(self, n: int | None) -> bool:
        return bool(self.threshold) and n is not None and 0 < n < self.threshold

    def text(self, n: int) -> str:
        return f"<{self.threshold}" if self.small(n) else f"{n:,}"

    def cell(self, n: int, url: str = "") -> Cell:
        if self.small(n):
            return Cell(self.text(n), None, url, numeric=True)
        return Cell(f"{n:,}", n, url, numeric=True)

    def change(self, now: int, before: int) -> Cell:
        """Change against the previous period; hidden when either side is suppressed."""
        if self.small(now) or self.small(before):
            return Cell("—", None, numeric=True)
        diff = now - before
        text = f"{diff:+,}".replace("-", "−") if diff else "0"
        if before:
            text += f" ({diff / before:+.0%})".replace("-", "−")
        return Cell(text, diff, numeric=True)

    def share(self, part: int, whole: int, url: str = "") -> Cell:
        """Share of a whole; hidden when the part or the rest is a small count."""
        if not whole:
            return Cell("—", None, url, numeric=True)
        if self.small(part) or self.small(whole - part) or self.small(whole):
            return Cell("suppressed", None, url, numeric=True)
        return Cell(
            f"{part / whole:.0%} ({part:,} of {whole:,})", round(part / whole, 4), url, True
        )

    def median(self, values: list[int], url: str = "") -> Cell:
        """Median days, with the number of events it is based on."""
        if not values:
            return Cell("—", None, url, numeric=True)
        if self.small(len(values)):
            return Cell(f"suppressed (n {self.text(len(values))})", None, url, numeric=True)
        med = statistics.median(values)
        shown = f"{med:g}"
        return Cell(f"{shown} days (n = {len(values):,})", med, url, numeric=True)

    def withhold_complements(self, cells: list[Cell]) -> None:
        """Secondary suppression over cells that partition a shown total: with exactly one
        small count hidden, subtraction would reveal it, so hide the next smallest too."""
        if not self.threshold:
            return
        hidden = [c for c in cells if c.value is None and c.text.startswith("<")]
        if len(hidden) != 1:
            return
        shown = [c for c in cells if isinstance(c.value, int) and c.value > 0]
        if shown:
            victim = min(shown, key=lambda c: c.value)
            victim.text, victim.value = "*", None


def days_between(pairs) -> list[int]:
    return [(later - earlier).days for earlier, later in pairs if earlier and later]
