"""Report parameters: validated and normalised per kind, with the report's title.

The same function checks a request from the page, the API and a re-run, so a stored
Report's `params` are always in the normalised form the renderers expect.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from accounts.access import access_for
from accounts.models import Office
from agencies.models import Agency
from cases.selectors import case_get_for_privileged_work
from reports.models import ReportKind

MAX_AGENCIES = 10
MAX_RANGE_DAYS = 366 * 10
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter (Q1 = Jan–Mar) or a US federal fiscal one (FY Q1 = Oct–Dec of
    the previous calendar year). `year` is the fiscal year when `fiscal`."""

    year: int
    number: int
    fiscal: bool = False

    @property
    def start(self) -> dt.date:
        if self.fiscal:
            month = (self.number - 1) * 3 + 10
            if month > 12:
                return dt.date(self.year, month - 12, 1)
            return dt.date(self.year - 1, month, 1)
        return dt.date(self.year, (self.number - 1) * 3 + 1, 1)

    @property
    def end(self) -> dt.date:
        """Last day, inclusive (the case list's date filters are inclusive)."""
        start = self.start
        month, year = start.month + 3, start.year
        if month > 12:
            month, year = month - 12, year + 1
        return dt.date(year, month, 1) - dt.timedelta(days=1)

    @property
    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4, self.fiscal)
        return Quarter(self.year, self.number - 1, self.fiscal)

    def months(self) -> list[tuple[dt.date, dt.date]]:
        """(first day, last day) of each of the quarter's three months."""
        result = []
        first = self.start
        for _ in range(3):
            nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            result.append((first, nxt - dt.timedelta(days=1)))
            first = nxt
        return result

    @property
    def label(self) -> str:
        span = f"{_MONTHS[self.start.month - 1]}–{_MONTHS[self.end.month - 1]} {self.end.year}"
        if self.start.year != self.end.year:
            span = (
                f"{_MONTHS[self.start.month - 1]} {self.start.year}–"
                f"{_MONTHS[self.end.month - 1]} {self.end.year}"
            )
        if self.fiscal:
            return f"FY{self.year} Q{self.number} ({span})"
        return f"Q{self.number} {self.year} ({span})"

    @property
    def short_label(self) -> str:
        return f"FY{self.year} Q{self.number}" if self.fiscal else f"Q{self.number} {self.year}"


def quarter_from_params(params: dict) -> Quarter:
    return Quarter(int(params["year"]), int(params["quarter"]), bool(params.get("fiscal")))


def _as_int(value, field: str, errors: dict) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        errors[field] = ["Enter a whole number."]
        return None


def _as_date(value, field: str, errors: dict) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors[field] = ["Enter a date as YYYY-MM-DD."]
        return None


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def _clean_quarterly(*, actor, params: dict) -> tuple[dict, str]:
    errors: dict[str, list[str]] = {}
    year = _as_int(params.get("year"), "year", errors)
    number = _as_int(params.get("quarter"), "quarter", errors)
    fiscal = _as_bool(params.get("fiscal", False))
    if number is not None and number not in (1, 2, 3, 4):
        errors["quarter"] = ["Choose a quarter from 1 to 4."]
    if year is not None and not 2000 <= year <= 2100:
        errors["year"] = ["Choose a year between 2000 and 2100."]
    office = None
    code = params.get("office") or None
    if code:
        offices = access_for(actor).case_office_ids
        office = Office.objects.filter(code=str(code)).first()
        if office is None or (offices is not None and office.id not in offices):
            errors["office"] = ["Choose one of your offices."]
    if not errors:
        quarter = Quarter(year, number, fiscal)
        if quarter.start > timezone.localdate():
            errors["quarter"] = ["That quarter has not started yet."]
    if errors:
        raise ValidationError(errors)
    clean = {
        "year": year,
        "quarter": number,
        "fiscal": fiscal,
        "office": office.code if office else None,
    }
    return clean, f"Quarterly report {quarter.short_label} — {scope_label(actor, clean['office'])}"


def scope_label(actor, office_code: str | None) -> str:
    """Whose cases a quarterly report counts: one office, every office, or the requester's."""
    if office_code:
        return Office.objects.get(code=office_code).name
    ids = access_for(actor).case_office_ids
    if ids is None:
        return "all offices"
    names = Office.objects.filter(id__in=ids).order_by("name").values_list("name", flat=True)
    return ", ".join(names)


def _clean_agency_pattern(*, actor, params: dict) -> tuple[dict, str]:
    errors: dict[str, list[str]] = {}
    raw = params.get("agencies") or []
    if isinstance(raw, str):
        raw = [raw]
    ids = []
    for item in raw:
        try:
            ids.append(uuid.UUID(str(item)))
        except ValueError:
            errors["agencies"] = ["Unknown agency."]
    ids = list(dict.fromkeys(ids))
    if not ids and "agencies" not in errors:
        errors["agencies"] = ["Choose at least one agency."]
    elif len(ids) > MAX_AGENCIES:
        errors["agencies"] = [f"Choose at most {MAX_AGENCIES} agencies."]
    agencies = list(Agency.objects.filter(public_id__in=ids).order_by("name", "state"))
    if ids and len(agencies) != len(ids) and "agencies" not in errors:
        errors["agencies"] = ["Unknown agency."]
    after = _as_date(params.get("date_after"), "date_after", errors)
    before = _as_date(params.get("date_before"), "date_before", errors)
    if after and before:
        if before < after:
            errors["date_before"] = ["The end date is before the start date."]
        elif (before - after).days > MAX_RANGE_DAYS:
            errors["date_before"] = ["Choose a range of at most ten years."]
    if errors:
        raise ValidationError(errors)
    clean = {
        "agencies": [str(a.public_id) for a in agencies],
        "date_after": after.isoformat(),
        "date_before": before.isoformat(),
        "include_names": _as_bool(params.get("include_names", False)),
    }
    names = ", ".join(a.name for a in agencies[:2]) + (" and others" if len(agencies) > 2 else "")
    return clean, f"Agency pattern: {names}, {after.isoformat()} to {before.isoformat()}"[:200]


def _clean_case_chronology(*, actor, params: dict) -> tuple[dict, str]:
    # Another office's case, or no case at all, is a 404 (Http404 propagates).
    try:
        case_id = uuid.UUID(str(params.get("case")))
    except ValueError:
        raise Http404("No such case") from None
    case = case_get_for_privileged_work(user=actor, public_id=case_id)
    return {"case": str(case.public_id)}, f"Case chronology {case.number}"


_CLEANERS = {
    ReportKind.QUARTERLY: _clean_quarterly,
    ReportKind.AGENCY_PATTERN: _clean_agency_pattern,
    ReportKind.CASE_CHRONOLOGY: _clean_case_chronology,
}


def may_request(*, actor, kind: str) -> bool:
    access = access_for(actor)
    if kind == ReportKind.QUARTERLY:
        return access.can_request_quarterly
    return access.can_request_privileged_reports


def report_params_clean(*, actor, kind: str, params) -> tuple[dict, str]:
    """Normalised params and a title, or ValidationError / PermissionDenied / Http404."""
    if kind not in _CLEANERS:
        raise ValidationError({"kind": ["Unknown report kind."]})
    if not may_request(actor=actor, kind=kind):
        raise PermissionDenied("You may not request this kind of report.")
    if not isinstance(params, dict):
        raise ValidationError({"params": ["Expected an object of parameters."]})
    return _CLEANERS[kind](actor=actor, params=params)
