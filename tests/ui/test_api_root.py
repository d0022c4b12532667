"""/api/v1/ answers with its endpoints instead of a 404."""

import pytest

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_api_root_lists_every_collection_and_each_link_works(client, alice):
    login(client, alice)
    response = client.get("/api/v1/")
    assert response.status_code == 200
    links = response.json()
    assert {"cases", "clients", "events", "agencies", "reports", "schema", "docs"} <= set(links)
    assert links["cases"] == "http://testserver/api/v1/cases/"
    for name in ("cases", "clients", "events", "agencies", "agreements", "reports"):
        assert client.get(links[name]).status_code == 200, name


def test_api_root_needs_authentication(client):
    assert client.get("/api/v1/").status_code == 401
