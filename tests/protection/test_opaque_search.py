"""Searches for a name or A-number are posted; addresses carry only an opaque search id,
bound to the user and expiring."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cases import services
from cases.models import CaseSearch, SavedSearch
from caseworker.lib.crypto import raw_tokens
from tests.cases.workflow import make_case
from tests.conftest import login

pytestmark = pytest.mark.django_db

NAME, A_NUMBER = "Quintanilla", "A208881234"


@pytest.fixture
def case(alice, north):
    client = services.client_create(
        actor=alice, given_names="Wilfreda", family_names=NAME, a_number=A_NUMBER
    )
    return make_case(north, client=client)


def _clean(text: str) -> bool:
    return NAME.lower() not in text.lower() and "208881234" not in text and "208-881" not in text


def test_posted_search_redirects_to_an_opaque_id(client, alice, case):
    login(client, alice)
    response = client.post("/cases/", {"q": "a208-881-234", "case_status": "new"})
    assert response.status_code == 302
    location = response["Location"]
    assert _clean(location) and re.fullmatch(r"/cases/\?case_status=new&s=[\w-]{20,}", location)
    page = client.get(location)
    html = page.content.decode()
    assert page.status_code == 200 and case.number in html
    links = re.findall(r'href="([^"]*)"', html) + re.findall(r'hx-[a-z]+="([^"]*)"', html)
    assert all(_clean(link) for link in links)
    # the same search reuses its id; the terms are stored encrypted
    assert (
        client.post("/cases/", {"q": "a208-881-234", "case_status": "new"})["Location"] == location
    )
    assert CaseSearch.objects.count() == 1
    assert all(_clean(token) for token in raw_tokens(CaseSearch.objects.all(), "params"))


def test_old_style_address_and_exports_are_rewritten(client, alice, case):
    login(client, alice)
    for path in ("/cases/", "/cases/events/", "/cases/export/csv/", "/cases/patterns/"):
        response = client.get(path, {"q": NAME})
        assert response.status_code == 302 and _clean(response["Location"]), path
        assert response["Location"].startswith(path)
    export = client.get("/cases/export/csv/", {"q": NAME}, follow=True)
    assert case.number in b"".join(export.streaming_content).decode()


def test_htmx_search_pushes_the_opaque_address(client, alice, case):
    login(client, alice)
    response = client.post("/cases/", {"q": NAME}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert response.status_code == 200 and case.number in response.content.decode()
    assert "?s=" in response["HX-Push-Url"] and _clean(response["HX-Push-Url"])


def test_search_id_is_per_user_and_expires(client, alice, bob, case):
    login(client, alice)
    location = client.post("/cases/", {"q": NAME})["Location"]
    login(client, bob)  # same office, but not his search
    response = client.get(location, follow=True)
    html = response.content.decode()
    assert "That search has expired" in html and f'value="{NAME}"' not in html
    login(client, alice)
    assert f'value="{NAME}"' in client.get(location).content.decode()  # her own, still valid
    CaseSearch.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(location, follow=True)
    assert "That search has expired" in response.content.decode()


def test_saved_search_keeps_the_terms_not_the_expiring_id(client, alice, case):
    login(client, alice)
    location = client.post("/cases/", {"q": NAME})["Location"]
    response = client.post(
        "/cases/saved-searches/", {"name": "Wilfreda", "query": location.partition("?")[2]}
    )
    assert SavedSearch.objects.get().query == f"q={NAME}"
    assert response.status_code == 302 and _clean(response["Location"])
