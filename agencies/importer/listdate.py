"""The date of an ICE list, read from its file name when nobody gives one.

ICE names its files with the publication date in US order and a morning/afternoon suffix
(participatingAgencies06062025am.xlsx); archives add ISO-style stamps
(participatingAgencies-20250221214937.xlsx, __20250221). Names carry typos, so anything
that is not exactly one plausible date is refused with a message asking for the date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import PurePath

from django.utils import timezone

EARLIEST = date(1996, 9, 30)  # 287(g) became law that day; no list predates it
_SEPARATED = [
    (re.compile(r"(?<!\d)(\d{4})[-_.](\d{1,2})[-_.](\d{1,2})(?!\d)"), ("y", "m", "d")),
    (re.compile(r"(?<!\d)(\d{1,2})[-_.](\d{1,2})[-_.](\d{4})(?!\d)"), ("m", "d", "y")),
]
_DIGITS = re.compile(r"\d+")


class ListDateError(ValueError):
    """No single plausible date in the file name; the message tells the user what to do."""


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _from_run(run: str) -> list[date | None]:
    if len(run) in (12, 14):  # YYYYMMDDhhmm[ss]: an archive's capture time
        return [_make(int(run[:4]), int(run[4:6]), int(run[6:8]))]
    if len(run) == 8:  # YYYYMMDD or ICE's MMDDYYYY; the two never both parse as plausible
        return [
            _make(int(run[:4]), int(run[4:6]), int(run[6:8])),
            _make(int(run[4:]), int(run[:2]), int(run[2:4])),
        ]
    return []


def list_date_from_name(filename: str, *, today: date | None = None) -> date:
    """The one plausible date in `filename`, or ListDateError."""
    stem = PurePath(filename).name
    latest = (today or timezone.localdate()) + timedelta(days=1)
    found: set[date] = set()
    for pattern, order in _SEPARATED:
        for match in pattern.finditer(stem):
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            found.add(_make(parts["y"], parts["m"], parts["d"]))
    if not found:
        for run in _DIGITS.findall(stem):
            found.update(_from_run(run))
    plausible = {d for d in found if d is not None and EARLIEST <= d <= latest}
    if len(plausible) == 1:
        return plausible.pop()
    if len(plausible) > 1:
        shown = ", ".join(sorted(d.isoformat() for d in plausible))
        raise ListDateError(
            f"The file name '{stem}' holds several dates ({shown}); "
            "give the list's date explicitly (YYYY-MM-DD)."
        )
    raise ListDateError(
        f"No list date could be read from the file name '{stem}'; "
        "give the list's date explicitly (YYYY-MM-DD)."
    )
