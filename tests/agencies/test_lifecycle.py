"""The pure rules of an agreement's status and changes (agencies.importer.lifecycle), list
by list; the spells themselves are agencies.importer.history's (tests/agencies/test_history)."""

from __future__ import annotations

import datetime as dt

from agencies.importer.history import Listing, periods
from agencies.importer.lifecycle import ListView, Standing, fold, observe

D = dt.date


def test_a_corrected_signed_date_is_recorded_as_a_change():
    state = Standing()
    observe(state, list_kind="participating", on=D(2025, 6, 6), present=True, signed=D(2025, 5, 6))
    (event,) = observe(
        state, list_kind="participating", on=D(2025, 7, 18), present=True, signed=D(2025, 5, 2)
    )
    assert (event.kind, event.before, event.after) == (
        "signed_date",
        {"signed_on": "2025-05-06"},
        {"signed_on": "2025-05-02"},
    )
    assert state.signed_on == D(2025, 5, 2)


def test_back_on_the_list_after_an_end_is_reopened():
    state = Standing()
    observe(state, list_kind="participating", on=D(2025, 3, 1), present=True, signed=D(2025, 2, 1))
    (ended,) = observe(state, list_kind="participating", on=D(2025, 4, 1), present=False)
    (event,) = observe(
        state, list_kind="participating", on=D(2025, 6, 1), present=True, signed=D(2025, 5, 10)
    )
    assert (ended.kind, state.status, state.ended_on) == ("ended", "active", None)
    assert (event.kind, event.before, event.after) == (
        "reopened",
        {"status": "ended", "ended_on": "2025-04-01"},
        {"status": "active", "signed_on": "2025-05-10"},
    )


def test_pending_list_absence_never_touches_an_active_agreement():
    state = Standing()
    observe(state, list_kind="participating", on=D(2025, 6, 6), present=True)
    assert observe(state, list_kind="pending", on=D(2025, 7, 1), present=False) == []
    assert state.status == "active"


def test_fold_reports_the_status_before_the_current_list_and_the_list_of_each_change():
    lists = [
        ListView("participating", D(2025, 6, 6), {1: D(2025, 4, 23)}),
        ListView("pending", D(2025, 6, 6), {1: None}, current=True),
        ListView("participating", D(2025, 7, 18), {}),
    ]
    state = Standing()
    events, before = fold(state, lists, 1)
    assert before == "active"
    assert [(e.kind, e.list_kind) for e in events] == [
        ("created", "participating"),
        ("ended", "participating"),
    ]
    assert state.status == "ended" and state.last_seen_on == D(2025, 6, 6)


def test_a_signed_date_after_the_list_date_never_opens_a_future_spell():
    state = Standing()
    observe(state, list_kind="participating", on=D(2025, 6, 6), present=True, signed=D(2031, 1, 1))
    assert state.signed_on is None
    (spell,) = periods(
        participating=[D(2025, 6, 6)],
        pending=[],
        shown_active={D(2025, 6, 6): Listing(D(2025, 6, 6), "a.csv", 2, D(2031, 1, 1))},
        shown_pending={},
    )
    assert (spell.start, spell.end) == (D(2025, 6, 6), None)
