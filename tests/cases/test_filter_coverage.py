"""Every field a caseworker or director would filter by has a filter (as NetBox checks):
a new model field fails this test until it gets a filter or a reason it has none.

A filter is one declaration (cases/filters.py): declaring it is enough for the pages
(sidebar), the API, the exports and the report figures."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from cases.filters import CASE_FILTERS, EVENT_FILTERS, CaseFilterSet, DetentionEventFilterSet
from cases.models import Case, DetentionEvent
from cases.selectors import cases_visible, events_visible
from tests.api import world as fixtures

world = fixtures.world

BOOKKEEPING = {"id", "created_at", "updated_at", "created_by", "public_id"}
NOT_FILTERED = {
    Case: BOOKKEEPING
    | {
        "client": "reached by q (name, A-number)",
        "archived_at": "lists show unarchived cases only",
        "anonymised_at": "retention bookkeeping; anonymised cases keep their counts",
        "hold_reason": "litigation hold, shown on the case page",
        "hold_set_at": "litigation hold bookkeeping",
        "hold_set_by": "litigation hold bookkeeping",
    }.keys(),
    DetentionEvent: BOOKKEEPING
    | {
        "case": "the case filters reach it",
        "date_precision": "detail of event_date",
        "event_time": "detail of event_date",
        "city": "free text; state and county filter the place",
        "arresting_agency_name": "as typed; the agency filters use the directory link",
        "custody_agency_name": "as typed; the agency filters use the directory link",
        "snapshot_other": "provenance of the 287(g) snapshot",
        "snapshot_evidence": "provenance of the 287(g) snapshot",
        "snapshot_at": "provenance of the 287(g) snapshot",
        "scope_flags": "the reasons behind needs_scope_review (scope_flag)",
        "scope_reviewed_at": "review bookkeeping",
        "scope_reviewed_by": "review bookkeeping",
        "charges": "free text",
        "detainer_date": "detail of detainer_lodged",
        "transfer_date": "detail of transferred_to_ice",
        "transfer_facility": "free text",
        "outcome_date": "detail of outcome",
        "bond_amount": "detail of outcome",
        "directory_flag": "its own queue (/cases/directory-changed/)",
        "directory_flagged_at": "its own queue (/cases/directory-changed/)",
    }.keys(),
}
# The 287(g) snapshot booleans are filtered together by the model filters of each role.
BY_MODEL_FILTER = {
    f"{role}_{model}": f"{role}_model"
    for role in ("arresting", "custody")
    for model in ("tfm", "jem", "wso")
}


def _covered(filterset, names, prefix=""):
    return {
        filterset.base_filters[name].field_name.removeprefix(prefix).split("__")[0]
        for name in names
    }


@pytest.mark.parametrize(
    "model, filterset, names, prefix",
    [
        (DetentionEvent, DetentionEventFilterSet, EVENT_FILTERS, ""),
        (Case, CaseFilterSet, CASE_FILTERS, ""),
        (Case, DetentionEventFilterSet, CASE_FILTERS, "case__"),
    ],
    ids=["event-fields", "case-fields", "case-fields-on-event-list"],
)
def test_every_filterable_field_has_a_filter(model, filterset, names, prefix):
    covered = _covered(filterset, names, prefix)
    for field, filter_name in BY_MODEL_FILTER.items():
        if model is DetentionEvent and filter_name in filterset.base_filters:
            covered.add(field)
    fields = {f.name for f in model._meta.concrete_fields}
    missing = fields - covered - set(NOT_FILTERED[model])
    assert not missing, f"{model.__name__} fields without a filter or a reason: {missing}"
    stale = set(NOT_FILTERED[model]) - fields
    assert not stale, f"NOT_FILTERED names fields {model.__name__} no longer has: {stale}"


@pytest.mark.django_db
def test_a_declared_filter_filters_both_lists(world, alice):
    """`questioned` and `case_outcome` are single declarations; both lists apply them."""
    w = world
    DetentionEvent.objects.filter(pk=w.e2.pk).update(questioned_about_status=True)
    Case.objects.filter(pk=w.c2.pk).update(outcome="released")
    request = SimpleNamespace(user=alice)

    def case_numbers(params):
        fs = CaseFilterSet(params, queryset=cases_visible(user=alice), request=request)
        assert fs.is_valid(), fs.errors
        return {c.pk for c in fs.qs}

    def event_ids(params):
        fs = DetentionEventFilterSet(params, queryset=events_visible(user=alice), request=request)
        assert fs.is_valid(), fs.errors
        return {e.pk for e in fs.qs}

    assert case_numbers({"questioned": "true"}) == {w.c2.pk}
    assert event_ids({"questioned": "true"}) == {w.e2.pk}
    assert event_ids({"questioned": "false"}) == {w.e1.pk, w.e3.pk}
    assert case_numbers({"case_outcome": ["released"]}) == {w.c2.pk}
    assert event_ids({"case_outcome": ["released"]}) == {w.e2.pk, w.e3.pk}
    # same-event rule: c2's questioning (e2) and its TFM arrest (e3) are different events
    assert case_numbers({"questioned": "true", "arresting_model": ["TFM"]}) == set()


@pytest.mark.django_db
def test_every_filter_is_on_the_list_pages(client, world, alice):
    client.force_login(alice)
    for url in (reverse("cases:list"), reverse("cases:events")):
        page = client.get(url)
        shown = {f["name"] for group in page.context["sidebar"] for f in group["fields"]}
        assert shown == set(EVENT_FILTERS + CASE_FILTERS), url
