"""The 287(g) history is a pure function of the lists held (issue 10): the same exports in
any import order, nothing changed by a list imported twice, every list date agreeing with
the list itself, and the court-facing cases read as the evidence rules say."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict

import pytest
from django.core.management import call_command

from agencies.importer import store
from agencies.importer.history import Listing, OverlapError, Period, overlap_check, periods
from agencies.importer.listdate import list_date_from_name
from agencies.models import (
    Agency,
    AgencyAlias,
    Agreement,
    AgreementChange,
    AgreementImport,
    AgreementPeriod,
    ListRow,
)
from agencies.selectors import agency_standings_on
from tests.agencies.conftest import all_ice_lists, needs_ice_files, run_list

D = dt.date
pytestmark = pytest.mark.django_db


def command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def lists_in_date_order():
    files = [(list_date_from_name(p.name), "pending" in p.name.lower(), p) for p in all_ice_lists()]
    return [(p, on) for on, _pending, p in sorted(files)]


EXTRA_DATES = [D(2021, 6, 1), D(2025, 1, 1), D(2025, 6, 1), D(2025, 10, 1), D(2026, 3, 1)]


def exports() -> dict[str, str]:
    dates = sorted({*AgreementImport.objects.values_list("list_date", flat=True), *EXTRA_DATES})
    found = {on.isoformat(): command("directory_export", "--as-of", on.isoformat()) for on in dates}
    found["history"] = command("directory_history")
    return found


def load(order) -> None:
    for path, on in order:
        run = run_list(path.read_bytes(), path.name, on)
        assert run.status == "done", (path.name, run.error)


def wipe() -> None:
    for model in (AgreementChange, AgreementPeriod, Agreement, ListRow, AgreementImport):
        model.objects.all().delete()
    AgencyAlias.objects.all().delete()
    Agency.objects.all().delete()


# --------------------------------------------------------------------- the shared lists


@needs_ice_files
def test_every_import_order_gives_byte_identical_exports():
    ordered = lists_in_date_order()
    load(ordered)
    expected = exports()
    assert expected["history"].count("\n") > 1000
    orders = {"reverse": ordered[::-1]}
    for seed in (1, 2, 3):
        shuffled = ordered[:]
        random.Random(seed).shuffle(shuffled)
        orders[f"seed {seed}"] = shuffled
    for name, order in orders.items():
        wipe()
        load(order)
        got = exports()
        differing = [key for key in expected if got[key] != expected[key]]
        assert not differing, f"{name}: {differing}"


@needs_ice_files
def test_importing_a_list_again_changes_nothing():
    ordered = lists_in_date_order()
    load(ordered)
    before = exports(), AgreementChange.objects.count()
    path, on = ordered[3]
    assert run_list(path.read_bytes(), path.name, on).status == "noop"
    # Rebuilding from the same rows (what any import does) adds and removes nothing.
    assert store.directory_rebuild() == []
    assert (exports(), AgreementChange.objects.count()) == before


@needs_ice_files
def test_every_participating_list_date_agrees_with_the_list_itself():
    """On each list date, the agreements in force *by listing* are exactly that list's."""
    ordered = lists_in_date_order()
    load(ordered)
    agency_of = {}
    for pk, state, key in Agency.objects.values_list("id", "state", "match_key"):
        agency_of[(state, key)] = pk
    for agency_id, state, key in AgencyAlias.objects.values_list(
        "agency_id", "agency__state", "match_key"
    ):
        agency_of.setdefault((state, key), agency_id)
    listed_by_date: dict[dt.date, set] = defaultdict(set)
    for on, state, key, model in ListRow.objects.filter(
        agreement_import__list_kind="participating"
    ).values_list("agreement_import__list_date", "state", "match_key", "model"):
        listed_by_date[on].add((agency_of[(state, key)], model))
    spells = list(
        AgreementPeriod.objects.filter(status="active").values_list(
            "agreement__agency_id", "agreement__model", "listed_from", "last_listed"
        )
    )
    disagreements = 0
    for on, listed in listed_by_date.items():
        in_force = {(a, m) for a, m, first, last in spells if first <= on <= last}
        disagreements += len(in_force ^ listed)
    assert len(listed_by_date) == 7
    assert disagreements == 0


def agreement(name: str, model: str, state: str) -> Agreement:
    return Agreement.objects.select_related("agency").get(
        agency__state=state, agency__name=name, model=model
    )


@needs_ice_files
def test_a_later_signed_date_never_removes_listed_days():
    load(lists_in_date_order())
    fwb = agreement("Fort Walton Beach Police Department", "TFM", "FL")
    assert fwb.signed_on == D(2025, 8, 4)  # the newest list's date, shown as such
    standing = agency_standings_on(agency_ids=[fwb.agency_id], on_date=D(2025, 6, 1))
    assert standing[fwb.agency_id].active == ("TFM",)
    (why,) = standing[fwb.agency_id].evidence
    assert why[1].startswith(
        "ICE participating list of 2025-03-17 (participatingAgencies03172025pm"
    )
    assert why[1].endswith("signed 2025-02-28")
    for name, model, state, on in [
        ("Hardee County Sheriff's Office", "TFM", "FL", D(2025, 6, 1)),
        ("St. Lucie County Sheriff's Office", "TFM", "FL", D(2025, 6, 1)),
        ("Bradley County Sheriff's Office", "JEM", "TN", D(2025, 8, 1)),
        ("Lawrence County Sheriff's Office", "JEM", "AL", D(2025, 6, 10)),
        ("Lawrence County Sheriff's Office", "WSO", "AL", D(2025, 6, 10)),
    ]:
        a = agreement(name, model, state)
        assert (
            model in agency_standings_on(agency_ids=[a.agency_id], on_date=on)[a.agency_id].active
        )


@needs_ice_files
def test_an_end_far_from_the_last_listing_is_a_flagged_window_not_a_date():
    load(lists_in_date_order())
    gwinnett = agreement("Gwinnett County Sheriff's Office", "JEM", "GA")
    (spell,) = gwinnett.periods.all()
    assert (spell.last_listed, spell.gone_by, spell.end_unknown) == (
        D(2021, 1, 13),
        D(2025, 2, 12),
        True,
    )
    assert spell.end == D(2021, 1, 14)  # never "in force until 2025-02-12"
    assert "GA,Gwinnett County Sheriff's Office,,JEM,not listed" in command(
        "directory_export", "--as-of", "2023-01-01"
    )
    southside = agreement("Southside Place Police Department", "TFM", "TX")
    assert list(southside.periods.values_list("status", "start", "end")) == [
        ("pending", D(2025, 7, 18), D(2025, 7, 19))
    ]
    on = agency_standings_on(agency_ids=[southside.agency_id], on_date=D(2025, 10, 1))
    assert on[southside.agency_id].active == () and on[southside.agency_id].pending == ()


# ------------------------------------------------------------------- the rules, in small


def listing(on: dt.date, signed: dt.date | None = None) -> Listing:
    return Listing(on, "list.xlsx", 2, signed)


def test_a_signed_date_before_the_first_listing_extends_back_but_never_over_an_earlier_spell():
    lists = [D(2025, 1, 1), D(2025, 3, 1), D(2025, 5, 1), D(2025, 7, 1)]
    spells = periods(
        participating=lists,
        pending=[],
        shown_active={
            D(2025, 1, 1): listing(D(2025, 1, 1), D(2024, 12, 1)),
            D(2025, 5, 1): listing(D(2025, 5, 1), D(2024, 12, 1)),  # the old MOA, relisted
            D(2025, 7, 1): listing(D(2025, 7, 1), D(2025, 6, 20)),  # a re-dated MOA
        },
        shown_pending={},
    )
    assert [(s.start, s.end, s.listed_from, s.gone_by) for s in spells] == [
        (D(2024, 12, 1), D(2025, 1, 2), D(2025, 1, 1), D(2025, 3, 1)),
        (D(2025, 5, 1), None, D(2025, 5, 1), None),
    ]


def test_a_pending_request_stays_pending_until_signed_and_never_overlaps_its_spell():
    spells = periods(
        participating=[D(2025, 6, 1), D(2025, 7, 1)],
        pending=[D(2025, 5, 1), D(2025, 6, 1), D(2025, 7, 1)],
        shown_active={D(2025, 7, 1): listing(D(2025, 7, 1), D(2025, 6, 20))},
        shown_pending={
            D(2025, 5, 1): listing(D(2025, 5, 1)),
            D(2025, 6, 1): listing(D(2025, 6, 1)),
            D(2025, 7, 1): listing(D(2025, 7, 1)),  # still on the pending list: ICE's lag
        },
    )
    assert [(s.status, s.start, s.end) for s in spells] == [
        ("pending", D(2025, 5, 1), D(2025, 6, 20)),
        ("active", D(2025, 6, 20), None),
    ]


def test_the_overlap_check_refuses_spells_that_share_a_day():
    first = Period("active", D(2025, 1, 1), D(2025, 3, 2), D(2025, 1, 1), D(2025, 3, 1), None)
    second = Period("pending", D(2025, 3, 1), None, D(2025, 3, 1), D(2025, 3, 1), None)
    with pytest.raises(OverlapError):
        overlap_check([second, first])
    overlap_check(
        [first, Period("active", D(2025, 3, 2), None, D(2025, 4, 1), D(2025, 4, 1), None)]
    )
