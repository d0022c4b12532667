"""The pattern view's numbers: cases matching the current filter, broken down by
agency, 287(g) model, encounter and month.

Each number counts distinct cases having one detention event that matches the current
filter AND the row's condition; that is exactly what the case list shows for the
current parameters with the row's parameter set (see `PatternRow.params`), so every
number links to its cases. A case with two events can appear in two rows.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import QueryDict

from agencies.models import Agency, Model287g
from cases.filters import MODEL_CHOICES
from cases.models import Encounter

TOP_AGENCIES = 25


@dataclass
class PatternRow:
    label: str
    cases: int
    no_prior: int
    detainer: int
    params: QueryDict | None  # the case-list parameters for exactly these cases

    @property
    def no_prior_share(self) -> float:
        return self.no_prior / self.cases if self.cases else 0.0

    @property
    def detainer_share(self) -> float:
        return self.detainer / self.cases if self.cases else 0.0

    @property
    def no_prior_params(self) -> QueryDict | None:
        return _with(self.params, no_prior="true") if self.params is not None else None

    @property
    def detainer_params(self) -> QueryDict | None:
        return _with(self.params, detainer="true") if self.params is not None else None


@dataclass
class PatternTable:
    title: str
    rows: list[PatternRow] = field(default_factory=list)
    note: str = ""


def _counts(prefix: str = "") -> dict:
    return {
        f"{prefix}cases": Count("case", distinct=True),
        f"{prefix}no_prior": Count("case", distinct=True, filter=Q(no_prior_record=True)),
        f"{prefix}detainer": Count("case", distinct=True, filter=Q(detainer_lodged=True)),
    }


def _with(base: QueryDict, **values) -> QueryDict:
    params = base.copy()
    for key, value in values.items():
        params.setlist(key, value if isinstance(value, list) else [value])
    return params


def _agency_table(events, base, role: str, title: str) -> PatternTable:
    field_name = f"{role}_agency"
    grouped = (
        events.order_by()
        .values(f"{field_name}_id")
        .annotate(**_counts())
        .order_by("-cases", f"{field_name}_id")[:TOP_AGENCIES]
    )
    rows = list(grouped)
    agencies = Agency.objects.in_bulk(
        [r[f"{field_name}_id"] for r in rows if r[f"{field_name}_id"]]
    )
    table = PatternTable(title, note=f"Top {TOP_AGENCIES} agencies by number of cases.")
    for r in rows:
        agency = agencies.get(r[f"{field_name}_id"])
        if agency is None:
            label, params = "Not in the agency directory (name typed)", None
        else:
            label, params = str(agency), _with(base, **{field_name: str(agency.public_id)})
        table.rows.append(PatternRow(label, r["cases"], r["no_prior"], r["detainer"], params))
    return table


def _model_table(events, base, role: str, title: str, chosen) -> PatternTable:
    # With a model filter set, a row outside it would count "filter AND row", which no
    # single set of list parameters expresses: show only the chosen models then.
    choices = [(v, label) for v, label in MODEL_CHOICES if not chosen or v in chosen]
    buckets = {}
    for value, _label in choices:
        if value == "none":
            condition = Q(**{f"{role}_{m.lower()}": False for m in Model287g.values})
        else:
            condition = Q(**{f"{role}_{value.lower()}": True})
        buckets[value] = condition
    aggregates = {}
    for value, condition in buckets.items():
        aggregates[f"{value}_cases"] = Count("case", distinct=True, filter=condition)
        aggregates[f"{value}_no_prior"] = Count(
            "case", distinct=True, filter=condition & Q(no_prior_record=True)
        )
        aggregates[f"{value}_detainer"] = Count(
            "case", distinct=True, filter=condition & Q(detainer_lodged=True)
        )
    totals = events.order_by().aggregate(**aggregates)
    table = PatternTable(
        title, note="An agency may hold several models at once, so rows can overlap."
    )
    for value, label in choices:
        table.rows.append(
            PatternRow(
                label,
                totals[f"{value}_cases"],
                totals[f"{value}_no_prior"],
                totals[f"{value}_detainer"],
                _with(base, **{f"{role}_model": value}),
            )
        )
    return table


def _encounter_table(events, base) -> PatternTable:
    labels = dict(Encounter.choices)
    grouped = events.order_by().values("encounter").annotate(**_counts()).order_by("-cases")
    table = PatternTable("By encounter")
    for r in grouped:
        table.rows.append(
            PatternRow(
                labels.get(r["encounter"], r["encounter"]),
                r["cases"],
                r["no_prior"],
                r["detainer"],
                _with(base, encounter=r["encounter"]),
            )
        )
    return table


def _month_table(events, base, date_after, date_before) -> PatternTable:
    grouped = (
        events.order_by()
        .annotate(month=TruncMonth("event_date"))
        .values("month")
        .annotate(**_counts())
        .order_by("month")
    )
    table = PatternTable("By month of the event")
    for r in grouped:
        month = r["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        first = month.replace(day=1)
        last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        # Intersect with the filter's own range so the link shows exactly these cases.
        start = max(first, date_after) if date_after else first
        end = min(last, date_before) if date_before else last
        table.rows.append(
            PatternRow(
                f"{first:%B %Y}",
                r["cases"],
                r["no_prior"],
                r["detainer"],
                _with(base, date_after=start.isoformat(), date_before=end.isoformat()),
            )
        )
    return table


def pattern_tables(events, base: QueryDict, cleaned: dict) -> list[PatternTable]:
    """All breakdowns of `events` (the filtered detention events); `base` is the
    validated case-list query without pagination or ordering."""
    return [
        _model_table(
            events,
            base,
            "arresting",
            "By 287(g) model of the arresting agency",
            cleaned.get("arresting_model"),
        ),
        _model_table(
            events,
            base,
            "custody",
            "By 287(g) model of the custody agency",
            cleaned.get("custody_model"),
        ),
        _agency_table(events, base, "arresting", "By arresting agency"),
        _agency_table(events, base, "custody", "By custody (booking) agency"),
        _encounter_table(events, base),
        _month_table(events, base, cleaned.get("date_after"), cleaned.get("date_before")),
    ]


def bar_chart(rows: list[PatternRow], *, width: int = 640, bar: int = 18, gap: int = 6) -> dict:
    """Geometry of a horizontal bar chart for templates/cases/search/_bar_chart.html."""
    top = max((r.cases for r in rows), default=0) or 1
    label_width, value_width = 290, 60
    span = width - label_width - value_width
    bars = []
    for i, row in enumerate(rows):
        y = i * (bar + gap)
        bars.append(
            {
                "row": row,
                "y": y,
                "text_y": y + bar - 4,
                "width": max(1, round(span * row.cases / top)) if row.cases else 0,
                "value_x": label_width + (round(span * row.cases / top) if row.cases else 0) + 6,
            }
        )
    return {
        "width": width,
        "height": max(1, len(rows) * (bar + gap)),
        "bar": bar,
        "label_width": label_width,
        "bars": bars,
    }
