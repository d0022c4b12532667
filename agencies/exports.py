"""The directory as canonical CSV: standings on a date, and every change.

Attorneys cite these, so the output is a function of the directory alone: rows in a fixed
order, dates in ISO form, no ids or timestamps. `manage.py directory_export` and
`directory_history` write them.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import TextIO

from agencies.importer import history
from agencies.models import AgreementChange, AgreementPeriod, AgreementStatus

EXPORT_HEADER = ("state", "agency", "county", "model", "status", "signed_on", "evidence")
HISTORY_HEADER = ("state", "agency", "model", "change", "effective_on", "list_date")


def period_status_on(period: AgreementPeriod, on: dt.date) -> tuple[str, str, str] | None:
    """(status, signed date, evidence) of a period that started by `on`: in force (or
    pending) with the list row or signed date that shows it; past its last listing but
    before the list that dropped it ("not listed": the end is only known as that window);
    or ended. None for a pending request that lapsed (nothing to cite)."""
    listings = period.listings
    if period.end is None or period.end > on:
        text = history.evidence(
            status=period.status, start=period.start, listed_from=period.listed_from,
            signed_on=period.signed_on, listings=listings, on=on,
        )  # fmt: skip
        if period.listed_from and on < period.listed_from:
            return period.status, period.signed_on.isoformat(), text
        shown = _shown_by(listings, on)
        return period.status, (shown or {}).get("signed") or "", text
    if period.status != AgreementStatus.ACTIVE:
        return None
    window = history.end_window(
        last_listed=period.last_listed, gone_by=period.gone_by, unknown=period.end_unknown
    )
    signed = (listings[-1].get("signed") if listings else None) or ""
    status = "ended" if period.gone_by is None or on >= period.gone_by else "not listed"
    return status, signed, window


def _shown_by(listings: list[dict], on: dt.date) -> dict | None:
    shown = [item for item in listings if item["on"] <= on.isoformat()]
    return shown[-1] if shown else (listings[0] if listings else None)


def directory_rows_on(*, as_of: dt.date) -> Iterator[tuple[str, ...]]:
    """Each agreement known by `as_of` with its status that day and its evidence."""
    periods = (
        AgreementPeriod.objects.filter(start__lte=as_of)
        .select_related("agreement__agency")
        .order_by("agreement_id", "start")
    )
    latest: dict[int, AgreementPeriod] = {}
    for period in periods:
        latest[period.agreement_id] = period  # the last period started by that date
    rows = []
    for period in latest.values():
        found = period_status_on(period, as_of)
        if found is None:
            continue
        status, signed, evidence = found
        agency = period.agreement.agency
        rows.append(
            (agency.state, agency.name, agency.county, period.agreement.model, status, signed,
             evidence)
        )  # fmt: skip
    yield from sorted(rows)


def history_rows() -> Iterator[tuple[str, ...]]:
    """Every recorded change of every agreement: per agreement in date order, then kind."""
    changes = AgreementChange.objects.select_related("agreement__agency", "agreement_import")
    rows = []
    for change in changes:
        agency = change.agreement.agency
        list_date = change.agreement_import.list_date
        rows.append(
            (
                agency.state,
                agency.name,
                change.agreement.model,
                change.kind,
                change.effective_on.isoformat(),
                list_date.isoformat() if list_date else "",
            )
        )
    yield from sorted(rows, key=lambda r: (r[0], r[1], r[2], r[4], r[5], r[3]))


def csv_write(*, out: TextIO, header: tuple[str, ...], rows: Iterator[tuple[str, ...]]) -> None:
    """Plain CSV with Unix line ends, so two exports compare byte for byte."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
