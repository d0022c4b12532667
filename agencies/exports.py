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

from agencies.models import AgreementChange, AgreementPeriod, AgreementStatus

EXPORT_HEADER = ("state", "agency", "county", "model", "status", "signed_on", "evidence")
HISTORY_HEADER = ("state", "agency", "model", "change", "effective_on", "list_date")


def _evidence(period: AgreementPeriod) -> str:
    signed = period.agreement.signed_on
    if period.status == AgreementStatus.ACTIVE and signed and period.start == signed:
        return f"signed {signed.isoformat()}"
    return f"ICE {period.status} list of {period.start.isoformat()}"


def directory_rows_on(*, as_of: dt.date) -> Iterator[tuple[str, ...]]:
    """Each agreement known by `as_of` with its status that day: active, pending or ended."""
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
        agreement, agency = period.agreement, period.agreement.agency
        covers = period.end is None or period.end > as_of
        if covers:
            status, evidence = period.status, _evidence(period)
        elif period.status == AgreementStatus.ACTIVE:
            status, evidence = "ended", f"not listed from {period.end.isoformat()}"
        else:
            continue  # a pending request that lapsed: nothing to cite
        signed = agreement.signed_on.isoformat() if agreement.signed_on else ""
        rows.append(
            (agency.state, agency.name, agency.county, agreement.model, status, signed, evidence)
        )
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
