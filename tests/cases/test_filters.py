"""cases.filters against the hand-built world (tests/api/world.py): every filter,
combinations, the same-event rule, strict parameters and access-limited choices."""

from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from cases.filters import CaseFilterSet, ClientFilterSet, DetentionEventFilterSet
from cases.models import Case, Client, DetentionEvent
from cases.selectors import cases_visible, events_visible
from tests.api import world as fixtures

# Shared fixtures (a module attribute, so pytest finds them here).
world = fixtures.world


def numbers(params, user, *, valid=True):
    fs = CaseFilterSet(
        params, queryset=cases_visible(user=user), request=SimpleNamespace(user=user)
    )
    assert fs.is_valid() is valid, fs.errors
    return sorted(c.number[-1] for c in fs.qs) if valid else fs.errors


def events(params, user):
    fs = DetentionEventFilterSet(
        params, queryset=events_visible(user=user), request=SimpleNamespace(user=user)
    )
    assert fs.is_valid(), fs.errors
    return fs.qs


@pytest.fixture
def w(world):
    return world


def test_no_filter_lists_visible_cases_newest_first(w, alice, erin):
    fs = CaseFilterSet({}, queryset=cases_visible(user=alice), request=None)
    assert [c.number[-1] for c in fs.qs] == ["3", "1", "2"]
    assert numbers({}, erin) == ["1", "2", "3", "4"]


EACH_FILTER = [
    ({"arresting_agency": "P"}, ["1"]),
    ({"arresting_agency": ["P", "T"]}, ["1", "2"]),
    ({"custody_agency": "S"}, ["1", "2"]),
    ({"agency": "T"}, ["2"]),
    ({"agency": "S"}, ["1", "2"]),
    ({"state": "FL"}, ["1", "2"]),
    ({"state": "GA"}, []),
    ({"county": "other"}, ["2"]),
    ({"arresting_model": "TFM"}, ["2"]),
    ({"arresting_model": "JEM"}, ["2"]),
    ({"arresting_model": "none"}, ["1"]),
    ({"arresting_model": ["none", "TFM"]}, ["1", "2"]),
    ({"custody_model": "JEM"}, ["1", "2"]),
    ({"custody_model": "none"}, ["2"]),
    ({"custody_model": "WSO"}, []),
    ({"encounter": "home"}, ["2"]),
    ({"encounter": ["home", "traffic_stop"]}, ["1", "2"]),
    ({"date_after": "2025-03-01"}, ["1", "2"]),
    ({"date_before": "2025-03-10"}, ["1", "2"]),
    ({"date_after": "2025-03-11", "date_before": "2025-12-31"}, ["2"]),
    ({"detainer": "true"}, ["1"]),
    ({"detainer": "false"}, ["2"]),
    ({"warrant": "true"}, ["2"]),
    ({"transferred": "true"}, ["2"]),
    ({"no_prior": "true"}, ["1"]),
    ({"outcome": "released"}, ["2"]),
    ({"outcome": "detained"}, ["1", "2"]),
    ({"scope_flag": "true"}, ["1"]),
    ({"case_status": "new"}, ["3"]),
    ({"case_status": ["open", "closed"]}, ["1", "2"]),
    ({"office": "north"}, ["1", "2", "3"]),
    ({"opened_after": "2025-03-01"}, ["1", "3"]),
    ({"opened_before": "2025-03-11"}, ["1", "2"]),
    ({"closed_after": "2025-04-01"}, ["2"]),
    ({"closed_before": "2025-04-01"}, []),
    ({"q": "jose"}, ["1"]),
    ({"q": "PÉREZ José"}, ["1"]),
    ({"q": "joe"}, ["1"]),
    ({"q": "A 012-345-678"}, ["1"]),
    ({"q": "12345678"}, ["1"]),
    ({"q": "2025-000002"}, ["2"]),
    ({"q": "nobody"}, []),
]


def test_each_filter(w, alice):
    """One world for all cases (building it dominates the run time)."""
    agencies = {"P": w.P, "S": w.S, "T": w.T, "W": w.W}
    for params, expected in EACH_FILTER:
        resolved = {}
        for key, value in params.items():
            if key.endswith("agency"):
                names = [value] if isinstance(value, str) else value
                value = [str(agencies[v].public_id) for v in names]
            resolved[key] = value
        assert numbers(resolved, alice) == expected, params


def test_event_list_filters_match_events_not_cases(w, alice):
    assert {e.pk for e in events({"custody_model": "none"}, alice)} == {w.e3.pk}
    assert {e.pk for e in events({"agency": str(w.S.public_id)}, alice)} == {
        w.e1.pk,
        w.e2.pk,
        w.e3.pk,
    }


def test_event_filters_must_hold_on_the_same_event(w, alice):
    # c2 has a home arrest (by T) and a jail booking by S, but no home arrest by S.
    assert numbers({"encounter": "home", "arresting_agency": str(w.S.public_id)}, alice) == []
    assert numbers({"encounter": "home", "arresting_agency": str(w.T.public_id)}, alice) == ["2"]
    assert numbers({"warrant": "true", "date_before": "2025-02-01"}, alice) == []


def test_case_and_event_filters_combine(w, alice, bob):
    assert numbers({"detainer": "true", "case_status": "open", "q": "perez"}, alice) == ["1"]
    assert numbers({"attorney": str(bob.public_id), "detainer": "false"}, alice) == []
    assert numbers({"caseworker": str(alice.public_id)}, alice) == ["1"]


def test_event_list_applies_case_filters_through_the_case(w, alice):
    qs = events({"case_status": "closed"}, alice)
    assert {e.pk for e in qs} == {w.e2.pk, w.e3.pk}
    qs = events({"encounter": "home", "q": "lopez"}, alice)
    assert [e.pk for e in qs] == [w.e3.pk]
    assert [e.pk for e in events({}, alice)] == [w.e2.pk, w.e1.pk, w.e3.pk]  # newest first


BAD_PARAMS = [
    {"detainr": "true"},
    {"notes__privileged": "true"},
    {"notes__body__icontains": "work"},
    {"detainer": "maybe"},
    {"date_after": "yesterday"},
    {"arresting_model": "XYZ"},
    {"agency": "not-a-uuid"},
    {"agency": "8b7c3c43-4f5e-4b8a-9b1e-000000000000"},
    {"ordering": "secret"},
]


def test_unknown_or_invalid_parameters_are_errors(w, alice):
    for params in BAD_PARAMS:
        assert numbers(params, alice, valid=False), params
        fs = CaseFilterSet(params, queryset=cases_visible(user=alice), request=None)
        assert list(fs.qs) == [], params  # forgetting is_valid() yields nothing


def test_unknown_parameter_message_names_it(w, alice):
    errors = numbers({"detainr": "true"}, alice, valid=False)
    assert "detainr" in str(errors["__all__"])


def test_pagination_parameters_are_allowed(w, alice):
    assert numbers({"page": "2", "cursor": "x", "page_size": "5"}, alice) == ["1", "2", "3"]


def test_other_offices_and_their_staff_are_not_valid_choices(w, alice, carol, south):
    assert "office" in numbers({"office": "south"}, alice, valid=False)
    assert "office" in numbers({"office": str(south.public_id)}, alice, valid=False)
    assert "caseworker" in numbers({"caseworker": str(carol.public_id)}, alice, valid=False)


def test_director_may_filter_any_office(w, erin, south):
    assert numbers({"office": str(south.public_id)}, erin) == ["4"]
    assert numbers({"office": "SOUTH"}, erin) == ["4"]


def test_orderings_are_total(w, alice):
    for name in CaseFilterSet.ORDERINGS:
        for value in (name, f"-{name}"):
            fs = CaseFilterSet(
                {"ordering": value}, queryset=cases_visible(user=alice), request=None
            )
            assert fs.is_valid()
            assert fs.qs.query.order_by[-1].lstrip("-") == "id"
    fs = CaseFilterSet({"ordering": "client"}, queryset=cases_visible(user=alice), request=None)
    assert [c.client.family_names for c in fs.qs] == ["Gomez", "Lopez", "Pérez"]


def test_filtersets_accept_none_as_no_filter(w):
    assert CaseFilterSet(None, queryset=Case.objects.all()).qs.count() == 4
    assert DetentionEventFilterSet(None, queryset=DetentionEvent.objects.all()).qs.count() == 4


def test_client_filter(w, alice):
    def names(params):
        fs = ClientFilterSet(params, queryset=Client.objects.visible_to(alice))
        assert fs.is_valid(), fs.errors
        return [c.family_names for c in fs.qs]

    assert names({}) == ["Gomez", "Lopez", "Pérez"]
    assert names({"q": "perez"}) == ["Pérez"]
    assert names({"q": "A012345678"}) == ["Pérez"]
    assert names({"ordering": "-name"}) == ["Pérez", "Lopez", "Gomez"]
    assert not ClientFilterSet({"a_number": "x"}, queryset=Client.objects.all()).is_valid()


def test_agency_and_date_filter_can_use_composite_indexes(w, alice):
    """The planner must be able to answer agency + date range from the (agency, date)
    indexes rather than reading every detention event (seq scans are disabled so the
    tiny test tables cannot hide a missing index)."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are checked on PostgreSQL only")

    params = {"agency": str(w.S.public_id), "date_after": "2025-01-01", "date_before": "2025-03-31"}
    for filterset, base in (
        (DetentionEventFilterSet, events_visible(user=alice)),
        (CaseFilterSet, cases_visible(user=alice)),
    ):
        fs = filterset(params, queryset=base, request=None)
        assert fs.is_valid()
        sql, sql_params = fs.qs.query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, sql_params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Seq Scan on cases_detentionevent" not in plan, plan
        assert "arresting_agency_id" in plan and "custody_agency_id" in plan, plan
        assert "event_date" in plan.split("Index", 1)[1], plan


def test_blank_form_fields_mean_no_filter(w, alice):
    blank = {name: "" for name in CaseFilterSet.base_filters}
    assert numbers(blank, alice) == ["1", "2", "3"]
    assert numbers({"state": ["", "FL"], "office": ""}, alice) == ["1", "2"]
