"""The OpenAPI document: generates without warnings, validates, and is served with docs
(no CDN) to logged-in users only."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate

from tests.conftest import login


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_validates(schema):
    validate(schema)


def test_schema_covers_every_resource(schema):
    paths = set(schema["paths"])
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{id}/status/",
        "/api/v1/cases/{case_id}/notes/",
        "/api/v1/cases/{case_id}/deadlines/",
        "/api/v1/events/",
        "/api/v1/clients/",
        "/api/v1/saved-searches/",
    ):
        assert path in paths, path


def test_list_filters_are_documented(schema):
    params = {p["name"] for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert {
        "agency",
        "arresting_model",
        "scope_flag",
        "q",
        "ordering",
        "cursor",
        "page_size",
    } <= params
    agency = next(
        p for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"] if p["name"] == "agency"
    )
    assert agency["schema"] == {"type": "array", "items": {"type": "string", "format": "uuid"}}


def test_errors_are_documented(schema):
    responses = schema["paths"]["/api/v1/cases/"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404"} <= set(responses)


def test_schema_and_docs_need_login(client, alice):
    assert client.get(reverse("api-schema")).status_code in (401, 403)
    assert client.get(reverse("api-docs")).status_code in (401, 403)
    login(client, alice)
    assert client.get(reverse("api-schema")).status_code == 200
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "swagger-ui" in body and "cdn." not in body and "unpkg" not in body
    assert "/static/drf_spectacular_sidecar/" in body


def test_api_token_page_is_the_account_page(client, alice):
    url = reverse("api-token")
    login(client, alice)
    assert client.get(url)["Location"] == "/account/#api-tokens"


def test_api_token_page_needs_a_role(client, db):
    from tests.factories import UserFactory

    login(client, UserFactory(username="norole"))
    assert client.post(reverse("token-create"), {"name": "script"}).status_code == 403
