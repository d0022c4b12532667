"""Case/event list pages, pattern view, saved searches and the scope review queue."""

import re

from django.urls import reverse

from cases.models import SavedSearch
from cases.views import search
from tests.api import world as fixtures
from tests.conftest import login
from tests.factories import CaseFactory, DetentionEventFactory

# Shared fixtures (a module attribute, so pytest finds them here).
world = fixtures.world

LIST = reverse("cases:list")
EVENTS = reverse("cases:events")


def count_of(response) -> int:
    match = re.search(r'class="count"><strong>([\d,]+)</strong>', response.content.decode())
    assert match, response.content.decode()[:2000]
    return int(match.group(1).replace(",", ""))


# Standard access tests ------------------------------------------------------------------


def test_list_shows_own_office_cases_only(client, world, alice):
    response = login(client, alice).get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "2025-000001" in body and "2025-000003" in body
    assert "2025-000004" not in body and "Ruiz" not in body
    assert count_of(response) == 3
    assert response["Cache-Control"] == "private, no-store"


def test_list_rejects_other_methods(client, world, alice):
    assert login(client, alice).put(LIST).status_code == 405


def test_other_office_in_filter_is_an_error_not_a_leak(client, world, alice, south):
    response = login(client, alice).get(LIST, {"office": str(south.public_id)})
    assert response.status_code == 400
    assert "2025-000004" not in response.content.decode()


def test_unknown_parameter_is_a_400_with_a_message(client, world, alice):
    response = login(client, alice).get(LIST, {"notes__privileged": "true"})
    assert response.status_code == 400
    assert "Unknown filter parameter(s): notes__privileged" in response.content.decode()
    assert "2025-000001" not in response.content.decode()


def test_invalid_value_shows_error_next_to_field(client, world, alice):
    response = login(client, alice).get(LIST, {"date_after": "soon"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


# Filtering, sorting, paging ----------------------------------------------------------------


def test_filter_and_shareable_url(client, world, alice):
    response = login(client, alice).get(LIST, {"detainer": "true", "encounter": "traffic_stop"})
    assert count_of(response) == 1
    body = response.content.decode()
    assert "2025-000001" in body and "2025-000002" not in body
    # Export and pattern links carry the same filter.
    assert "/cases/export/csv/?detainer=true&amp;encounter=traffic_stop" in body
    assert "/cases/patterns/?detainer=true&amp;encounter=traffic_stop" in body


def test_htmx_request_renders_only_results(client, world, alice):
    response = login(client, alice).get(
        LIST, {"q": "lopez"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<aside" not in body and "<html" not in body
    assert "2025-000002" in body and count_of(response) == 1


def test_sortable_columns(client, world, alice):
    response = login(client, alice).get(LIST, {"ordering": "number"})
    body = response.content.decode()
    assert body.index("2025-000001") < body.index("2025-000002") < body.index("2025-000003")
    assert 'aria-sort="ascending"' in body and "ordering=-number" in body


def test_keyset_pages_walk_forward_and_back(client, world, alice, north, monkeypatch):
    monkeypatch.setattr(search, "LIST_PAGE_SIZE", 2)
    login(client, alice)
    first = client.get(LIST, {"ordering": "number"})
    body = first.content.decode()
    assert "2025-000001" in body and "2025-000003" not in body
    next_url = re.search(r'href="(\?[^"]*cursor=[^"]+)" hx-get="[^"]*" [^>]*rel="next"', body)
    second = client.get(LIST + next_url.group(1).replace("&amp;", "&"))
    body = second.content.decode()
    assert "2025-000003" in body and "2025-000001" not in body
    assert "showing 3–3" in body
    prev_url = re.search(r'href="(\?[^"]*cursor=[^"]+)" hx-get="[^"]*" [^>]*rel="prev"', body)
    back = client.get(LIST + prev_url.group(1).replace("&amp;", "&"))
    assert "2025-000001" in back.content.decode() and "showing 1–2" in back.content.decode()


def test_tampered_cursor_is_a_400(client, world, alice):
    response = login(client, alice).get(LIST, {"cursor": "bm9wZQ"})
    assert response.status_code == 400
    assert "invalid or out of date" in response.content.decode()


def test_event_list(client, world, alice):
    response = login(client, alice).get(EVENTS, {"custody_model": "JEM"})
    assert response.status_code == 200
    assert count_of(response) == 2  # e1 and e2, not e3 (before the agreement) nor e4
    assert "Scope review:" in response.content.decode()  # e1 is flagged


def test_list_query_count_does_not_grow_with_rows(
    client, world, alice, north, django_assert_num_queries
):
    login(client, alice)
    client.get(LIST)  # warm the session
    with django_assert_num_queries(14):
        client.get(LIST, {"agency": str(world.S.public_id)})
    for i in range(20):
        case = CaseFactory(office=north, number=f"2024-{i:06d}")
        DetentionEventFactory(case=case, custody_agency=world.S)
    with django_assert_num_queries(14):
        response = client.get(LIST, {"agency": str(world.S.public_id)})
    assert count_of(response) == 22
    with django_assert_num_queries(11):  # no saved searches, no event prefetch
        assert count_of(client.get(EVENTS)) == 23


# Pattern view ------------------------------------------------------------------------------


def test_pattern_numbers_link_to_exactly_their_cases(client, world, alice):
    login(client, alice)
    response = client.get(reverse("cases:patterns"), {"state": "FL"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "<script" not in body.split("<main")[1].split("</main>")[0]
    links = re.findall(r'<a href="(/cases/\?[^"]+)">([\d,]+)</a>', body)
    assert len(links) > 10
    for url, number in links:
        listed = client.get(url.replace("&amp;", "&"))
        assert listed.status_code == 200, url
        assert count_of(listed) == int(number.replace(",", "")), url


def test_pattern_with_model_filter_keeps_links_exact(client, world, alice):
    login(client, alice)
    body = client.get(reverse("cases:patterns"), {"arresting_model": "TFM"}).content.decode()
    for url, number in re.findall(r'<a href="(/cases/\?[^"]+)">([\d,]+)</a>', body):
        assert count_of(client.get(url.replace("&amp;", "&"))) == int(number), url


def test_pattern_view_rejects_unknown_parameters(client, world, alice):
    response = login(client, alice).get(reverse("cases:patterns"), {"x": "1"})
    assert response.status_code == 400


# Saved searches ----------------------------------------------------------------------------


def test_save_search_and_list_it(client, world, alice):
    login(client, alice)
    response = client.post(
        reverse("cases:saved-searches"),
        {"name": "Detainers", "query": "detainer=true&cursor=abc&encounter=home"},
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get(user=alice)
    assert saved.query == "detainer=true&encounter=home"
    page = client.get(reverse("cases:saved-searches"))
    assert "Detainers" in page.content.decode()


def test_invalid_saved_search_shows_errors(client, world, alice):
    response = login(client, alice).post(
        reverse("cases:saved-searches"), {"name": "", "query": "bogus=1"}
    )
    assert response.status_code == 400
    assert "Give the search a name." in response.content.decode()


def test_cannot_delete_someone_elses_saved_search(client, world, alice, carol):
    from cases.services import saved_search_create

    theirs = saved_search_create(actor=carol, name="Mine", query="detainer=true")
    url = reverse("cases:saved-search-delete", args=[theirs.public_id])
    assert login(client, alice).post(url).status_code == 404
    assert SavedSearch.objects.filter(pk=theirs.pk).exists()
    assert client.get(url).status_code == 405


# Scope review queue ------------------------------------------------------------------------


def test_scope_queue_lists_flagged_events_with_notice(client, world, alice):
    response = login(client, alice).get(reverse("cases:scope-queue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "A review aid, not a legal conclusion." in body
    assert "2025-000001" in body and "Traffic stop" in body
    assert "no Task Force agreement" in body
    assert "2025-000004" not in body  # South's flagged event


def test_scope_queue_rejects_unknown_parameters(client, world, alice):
    assert login(client, alice).get(reverse("cases:scope-queue"), {"x": 1}).status_code == 400
