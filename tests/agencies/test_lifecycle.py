"""The pure rules of an agreement's life (agencies.importer.lifecycle), list by list."""

from __future__ import annotations

import datetime as dt

from agencies.importer.lifecycle import ListView, Standing, fold, observe

D = dt.date


def spells(state: Standing) -> list[tuple]:
    return state.spell_keys()


def test_a_corrected_signed_date_moves_the_start_of_the_current_spell():
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
    assert spells(state) == [("active", D(2025, 5, 2), None)]


def test_a_new_moa_signed_after_the_end_reopens_from_its_date_keeping_the_gap():
    state = Standing()
    observe(state, list_kind="participating", on=D(2025, 3, 1), present=True, signed=D(2025, 2, 1))
    observe(state, list_kind="participating", on=D(2025, 4, 1), present=False)
    (event,) = observe(
        state, list_kind="participating", on=D(2025, 6, 1), present=True, signed=D(2025, 5, 10)
    )
    assert event.kind == "reopened" and event.after["active_from"] == "2025-05-10"
    assert spells(state) == [
        ("active", D(2025, 2, 1), D(2025, 4, 1)),
        ("active", D(2025, 5, 10), None),
    ]
    # The old MOA back on a later list after another gap: in force again from the list date.
    observe(state, list_kind="participating", on=D(2025, 7, 1), present=False)
    observe(state, list_kind="participating", on=D(2025, 8, 1), present=True, signed=D(2025, 5, 10))
    assert spells(state)[-1] == ("active", D(2025, 8, 1), None)


def test_a_request_listed_as_pending_after_its_signing_has_no_overlapping_pending_spell():
    state = Standing()
    observe(state, list_kind="pending", on=D(2025, 6, 6), present=True)
    observe(state, list_kind="participating", on=D(2025, 7, 18), present=True, signed=D(2025, 6, 1))
    assert spells(state) == [("active", D(2025, 6, 1), None)]  # the pending day is covered


def test_pending_list_absence_never_touches_an_active_agreement():
    state = Standing()
    observe(state, list_kind="participating", on=D(2025, 6, 6), present=True)
    assert observe(state, list_kind="pending", on=D(2025, 7, 1), present=False) == []
    assert state.status == "active"


def test_fold_reports_the_status_before_the_current_list():
    lists = [
        ListView("participating", D(2025, 6, 6), {1: D(2025, 4, 23)}),
        ListView("pending", D(2025, 6, 6), {1: None}, current=True),
    ]
    state = Standing()
    events, before = fold(state, lists, 1)
    assert before == "active" and [e.kind for e in events] == ["created"]
    assert state.status == "active" and state.last_seen_on == D(2025, 6, 6)


def test_a_signed_date_after_the_list_date_never_opens_a_future_spell():
    state = Standing()
    observe(state, list_kind="participating", on=D(2025, 6, 6), present=True, signed=D(2031, 1, 1))
    assert state.signed_on is None and spells(state) == [("active", D(2025, 6, 6), None)]
