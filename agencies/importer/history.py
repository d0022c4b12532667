"""The spells an agreement was in force (or pending), as evidence from the lists held.

A pure function of the lists: which list dates of each kind we hold, and which of them
showed the agreement (with the file, row and signed date). The rules (issue 10):

- In force on every date bracketed by participating lists that show it: a run of
  consecutive lists showing it is one spell, from the first to the last of them.
- A signed date before the first list of a spell (the earliest any of its lists gives)
  extends it back ("per ICE's signed date, not yet listed"), never across an earlier spell
  of the same agreement. A later signed date never removes days a list showed.
- The end is known only as a window: last listed on one list, gone by the next list of the
  same kind. The spell ends the day after it was last listed; where the two lists are more
  than END_WINDOW_DAYS apart the end is flagged unknown rather than guessed.
- Pending spells follow the pending lists the same way; a request signed before the next
  pending list dropped it stays pending until its active spell starts, and a pending spell
  never overlaps an active one (ICE listed some requests as pending after signing).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

ACTIVE, PENDING = "active", "pending"
END_WINDOW_DAYS = 60
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Listing:
    """One list row showing the agreement."""

    on: dt.date
    file: str
    row: int
    signed: dt.date | None = None

    def as_json(self) -> dict:
        return {
            "on": self.on.isoformat(),
            "file": self.file,
            "row": self.row,
            "signed": self.signed.isoformat() if self.signed else None,
        }


@dataclass
class Period:
    status: str
    start: dt.date
    end: dt.date | None
    listed_from: dt.date
    last_listed: dt.date
    gone_by: dt.date | None
    end_unknown: bool = False
    signed_on: dt.date | None = None
    listings: list[Listing] = field(default_factory=list)

    def key(self) -> tuple:
        """Everything stored, comparable with what is in the database."""
        return (
            self.status,
            self.start,
            self.end,
            self.listed_from,
            self.last_listed,
            self.gone_by,
            self.end_unknown,
            self.signed_on,
            [listing.as_json() for listing in self.listings],
        )


def _runs(
    held: list[dt.date], shown: dict[dt.date, Listing]
) -> list[tuple[list[Listing], dt.date | None]]:
    """Runs of consecutive held lists that show it, each with the next held list (gone by)."""
    runs: list[tuple[list[Listing], dt.date | None]] = []
    current: list[Listing] = []
    for on in held:
        if on in shown:
            current.append(shown[on])
        elif current:
            runs.append((current, on))
            current = []
    if current:
        runs.append((current, None))
    return runs


def _spell(status: str, listings: list[Listing], gone_by: dt.date | None) -> Period:
    first, last = listings[0].on, listings[-1].on
    end = last + ONE_DAY if gone_by else None
    unknown = bool(gone_by and (gone_by - last).days > END_WINDOW_DAYS)
    return Period(status, first, end, first, last, gone_by, unknown, None, listings)


def periods(
    *,
    participating: list[dt.date],
    pending: list[dt.date],
    shown_active: dict[dt.date, Listing],
    shown_pending: dict[dt.date, Listing],
) -> list[Period]:
    """Every spell of one agreement, in date order, none overlapping another."""
    active: list[Period] = []
    for listings, gone_by in _runs(participating, shown_active):
        spell = _spell(ACTIVE, listings, gone_by)
        floor = active[-1].end if active else None
        # The earliest signed date any of its lists gives (ICE corrects dates both ways).
        signed = min(
            (x.signed for x in listings if x.signed and x.signed < spell.listed_from), default=None
        )
        if signed and (floor is None or signed >= floor):
            spell.start, spell.signed_on = signed, signed
        active.append(spell)

    result = list(active)
    for listings, gone_by in _runs(pending, shown_pending):
        spell = _spell(PENDING, listings, gone_by)
        signed_next = next((a for a in active if a.start >= spell.start), None)
        if signed_next and (spell.end is None or signed_next.start < spell.end):
            spell.end = signed_next.start  # listed as pending after signing: cut back
            spell.end_unknown = False
        elif signed_next and (gone_by is None or signed_next.start <= gone_by):
            spell.end = signed_next.start  # pending until signed, before any list dropped it
            spell.end_unknown = False
        result += _outside(spell, active)
    result.sort(key=lambda p: (p.start, p.status != PENDING))
    overlap_check(result)
    return result


def _outside(spell: Period, active: list[Period]) -> list[Period]:
    """The parts of a pending spell no active spell covers."""
    pieces = [spell]
    for a in active:
        kept = []
        for p in pieces:
            p_end, a_end = p.end or dt.date.max, a.end or dt.date.max
            if a.start >= p_end or a_end <= p.start:
                kept.append(p)
                continue
            if p.start < a.start:
                kept.append(_clip(p, p.start, a.start))
            if a_end < p_end:
                kept.append(_clip(p, a_end, p.end))
        pieces = kept
    return pieces


def _clip(p: Period, start: dt.date, end: dt.date | None) -> Period:
    return Period(
        p.status, start, end, p.listed_from, p.last_listed, p.gone_by,
        p.end_unknown if end == p.end else False, p.signed_on, p.listings,
    )  # fmt: skip


class OverlapError(Exception):
    """Two spells of one agreement cover the same day: a bug, never written."""


def overlap_check(spells: list[Period]) -> None:
    ordered = sorted(spells, key=lambda p: p.start)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.end is None or earlier.end > later.start:
            raise OverlapError(f"{earlier.key()[:3]} overlaps {later.key()[:3]}")
        if later.end is not None and later.end < later.start:
            raise OverlapError(f"{later.key()[:3]} ends before it starts")


def evidence(
    *, status: str, start: dt.date, listed_from: dt.date | None, signed_on: dt.date | None,
    listings: list[dict], on: dt.date,
) -> str:  # fmt: skip
    """Why a spell covers `on`: the list (date, file, row) that shows it on or before that
    day, or the signed date when it is before the first listing."""
    if not listings:
        return ""
    kind = "participating" if status == ACTIVE else "pending"
    first = listings[0]
    if listed_from and on < listed_from and signed_on:
        return (
            f"per ICE's signed date {signed_on.isoformat()}, not yet listed "
            f"(first on the ICE {kind} list of {first['on']}, {first['file']} row {first['row']})"
        )
    dates = [item["on"] for item in listings]
    index = max(0, bisect.bisect_right(dates, on.isoformat()) - 1)
    shown = listings[index]
    signed = f", signed {shown['signed']}" if shown.get("signed") else ""
    return f"ICE {kind} list of {shown['on']} ({shown['file']} row {shown['row']}){signed}"


def end_window(*, last_listed: dt.date | None, gone_by: dt.date | None, unknown: bool) -> str:
    """How the end of a spell is known."""
    if not last_listed or not gone_by:
        return ""
    text = f"last listed {last_listed.isoformat()}, gone by {gone_by.isoformat()}"
    if unknown:
        text += f" (lists {(gone_by - last_listed).days} days apart: end date unknown)"
    return text
