"""The life of one 287(g) agreement as a pure function of the ICE lists that showed it.

ICE publishes no change log, only two lists at a time: the *participating* list (complete:
every agreement in force) and the *pending* list (requests not yet signed). So an
agreement's history is what a fold over those lists, in list-date order, says:

participating list, present
    unknown → active ("created"); pending or no-longer-pending → active ("signed");
    ended → active again ("reopened"); active → a new signed date is recorded
    ("signed_date").
participating list, absent
    active → ended on the list's date ("ended"). Nothing else: pending requests are the
    pending list's business.
pending list, present
    unknown → pending ("created"); ended or no-longer-pending → pending ("pending", a new
    request); active → stays active and the row is reported as *already active* (ICE's lists
    lag each other: Longboat Key PD was on both lists of 2025-06-06 with a signed MOA).
pending list, absent
    pending → "withdrawn" (shown as "no longer pending"): it left the pending list without
    reaching the participating list. We do not call it ended — it never was in force — and
    we do not keep calling it pending, which is what a user would act on. If it later shows
    up signed, that is an ordinary "signed" transition.
    A pending list never ends an active agreement: it is not a list of agreements in force.

On one date the participating list is applied before the pending list, so an agency that
moved from pending to signed reads "signed", never "withdrawn" then "signed". The fold runs
over every list held, from nothing, on every import, so status and changes are a function of
the lists alone; the spells in force are computed from the same lists by
agencies.importer.history. Nothing here touches the database (see agencies.importer.store).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

PARTICIPATING, PENDING_LIST = "participating", "pending"
KIND_ORDER = {PARTICIPATING: 0, PENDING_LIST: 1}

ACTIVE, PENDING, ENDED, WITHDRAWN = "active", "pending", "ended", "withdrawn"


@dataclass
class Standing:
    """An agreement's state after the lists folded so far (status None: not yet seen)."""

    status: str | None = None
    signed_on: date | None = None
    ended_on: date | None = None
    first_seen_on: date | None = None
    last_seen_on: date | None = None

    def fields(self) -> tuple:
        return (self.status, self.signed_on, self.ended_on, self.first_seen_on, self.last_seen_on)


@dataclass(frozen=True)
class Event:
    """One change to an agreement, effective on a list date (becomes an AgreementChange)."""

    kind: str
    effective_on: date
    before: dict
    after: dict
    list_kind: str = PARTICIPATING  # the kind of list that showed the change


@dataclass
class ListView:
    """One imported list reduced to what the fold needs: which agreements it showed."""

    kind: str
    on: date
    sightings: dict  # agreement key → signed date (None when the list gives none)
    current: bool = False

    def sort_key(self) -> tuple:
        return (self.on, KIND_ORDER[self.kind])


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def observe(
    state: Standing, *, list_kind: str, on: date, present: bool, signed: date | None = None
) -> list[Event]:
    """Apply one list to one agreement's state (in place); return the changes it made."""
    if signed is not None and signed > on:
        signed = None  # the parser already refuses these; never let one open a future spell
    if present:
        state.first_seen_on = min(state.first_seen_on or on, on)
        state.last_seen_on = max(state.last_seen_on or on, on)
        if list_kind == PARTICIPATING:
            return _listed(state, on, signed)
        return _listed_pending(state, on)
    if list_kind == PARTICIPATING and state.status == ACTIVE:
        return [_end(state, on)]
    if list_kind == PENDING_LIST and state.status == PENDING:
        return [_withdraw(state, on)]
    return []


def fold(state: Standing, lists: list[ListView], key) -> tuple[list[Event], str | None]:
    """Apply `lists` (already in order) to one agreement; also return its status just
    before the list marked `current` (to report pending rows that are already active)."""
    events: list[Event] = []
    before_current = None
    for view in lists:
        if view.current:
            before_current = state.status
        present = key in view.sightings
        seen = observe(
            state,
            list_kind=view.kind,
            on=view.on,
            present=present,
            signed=view.sightings.get(key) if present else None,
        )
        events += [replace(event, list_kind=view.kind) for event in seen]
    return events, before_current


# ------------------------------------------------------------------------ transitions


def _listed(state: Standing, on: date, signed: date | None) -> list[Event]:
    if state.status is None:
        state.status, state.signed_on = ACTIVE, signed
        return [Event("created", on, {}, {"status": ACTIVE, "signed_on": _iso(signed)})]
    if state.status in (PENDING, WITHDRAWN):
        before = {"status": state.status, "signed_on": _iso(state.signed_on)}
        state.status, state.signed_on = ACTIVE, signed or state.signed_on
        after = {"status": ACTIVE, "signed_on": _iso(state.signed_on)}
        return [Event("signed", on, before, after)]
    if state.status == ENDED:
        before = {"status": ENDED, "ended_on": _iso(state.ended_on)}
        state.status, state.ended_on = ACTIVE, None
        state.signed_on = signed or state.signed_on
        after = {"status": ACTIVE, "signed_on": _iso(signed)}
        return [Event("reopened", on, before, after)]
    if signed and signed != state.signed_on:  # active, and ICE now shows another date
        before = {"signed_on": _iso(state.signed_on)}
        state.signed_on = signed
        return [Event("signed_date", on, before, {"signed_on": _iso(signed)})]
    return []


def _listed_pending(state: Standing, on: date) -> list[Event]:
    if state.status is None:
        state.status = PENDING
        return [Event("created", on, {}, {"status": PENDING})]
    if state.status in (ENDED, WITHDRAWN):
        before = {"status": state.status, "ended_on": _iso(state.ended_on)}
        state.status, state.ended_on = PENDING, None
        return [Event("pending", on, before, {"status": PENDING})]
    return []  # still pending, or already active (the caller reports that row)


def _end(state: Standing, on: date) -> Event:
    state.status, state.ended_on = ENDED, on
    return Event("ended", on, {"status": ACTIVE}, {"status": ENDED, "ended_on": _iso(on)})


def _withdraw(state: Standing, on: date) -> Event:
    state.status = WITHDRAWN
    return Event("withdrawn", on, {"status": PENDING}, {"status": WITHDRAWN})
