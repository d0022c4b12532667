"""Agencies, agreements and imports API: read-only, strict filters, constant queries."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from agencies.models import AgreementImport
from tests.factories import AgencyFactory, AgreementFactory, UserFactory

API = "/api/v1"


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


@pytest.fixture
def directory(db):
    sheriff = AgencyFactory(name="Lee County Sheriff's Office", county="Lee")
    police = AgencyFactory(name="Fort Myers Police Department", kind="municipal_police")
    AgreementFactory(agency=sheriff, model="JEM")
    AgreementFactory(agency=sheriff, model="WSO")
    run = AgreementImport.objects.create(
        source="participating.xlsx",
        status="done",
        list_date=dt.date(2025, 6, 6),
        rejected_count=1,
        rejected_rows=[{"row": 7, "reason": "No state"}],
    )
    return sheriff, police, run


@pytest.mark.parametrize("path", ["/agencies/", "/agreements/", "/imports/"])
def test_requires_login(db, path):
    assert APIClient().get(API + path).status_code in (401, 403)


def test_user_without_role_is_refused(db):
    nobody = UserFactory(username="nobody")
    client = APIClient()
    client.force_authenticate(nobody)
    assert client.get(API + "/agencies/").status_code == 403


def test_agency_list_and_filters(api, directory):
    sheriff, police, _ = directory
    body = api.get(API + "/agencies/").json()
    assert [a["name"] for a in body["results"]] == [police.name, sheriff.name]
    body = api.get(API + "/agencies/", {"model": "JEM", "status": "active"}).json()
    assert [a["id"] for a in body["results"]] == [str(sheriff.public_id)]
    assert [a["model"] for a in body["results"][0]["agreements"]] == ["JEM", "WSO"]
    assert api.get(API + "/agencies/", {"modle": "JEM"}).status_code == 400


def test_agreements_and_detail(api, directory):
    sheriff, _, _ = directory
    body = api.get(API + "/agreements/", {"model": "WSO"}).json()
    assert len(body["results"]) == 1
    agreement = body["results"][0]
    assert agreement["agency"]["id"] == str(sheriff.public_id)
    assert agreement["periods"] == [
        {
            "status": "active",
            "start": "2025-02-01",
            "end": None,
            "listed_from": None,
            "last_listed": None,
            "gone_by": None,
            "end_unknown": False,
            "signed_on": None,
            "listings": [],
        }
    ]
    detail = api.get(f"{API}/agreements/{agreement['id']}/")
    assert detail.status_code == 200


def test_imports_list_hides_rejected_rows_detail_shows_them(api, directory):
    _, _, run = directory
    listed = api.get(API + "/imports/").json()["results"][0]
    assert listed["rejected_count"] == 1 and "rejected_rows" not in listed
    detail = api.get(f"{API}/imports/{run.public_id}/").json()
    assert detail["rejected_rows"] == [{"row": 7, "reason": "No state"}]
    assert api.get(API + "/imports/", {"status": "done"}).status_code == 400


def test_read_only(api, directory):
    sheriff, _, run = directory
    assert api.post(API + "/agencies/", {"name": "X"}).status_code == 405
    assert api.patch(f"{API}/agencies/{sheriff.public_id}/", {"name": "X"}).status_code == 405
    assert api.delete(f"{API}/imports/{run.public_id}/").status_code == 405


def test_unknown_id_is_json_404(api, directory):
    response = api.get(f"{API}/agencies/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert api.get(f"{API}/agencies/not-an-id/").json() == {"detail": "Not found."}


def test_query_counts_do_not_grow(api, directory, django_assert_max_num_queries):
    for i in range(30):
        AgreementFactory(agency=AgencyFactory(name=f"Agency {i}"), model="JEM")
    for path in ("/agencies/", "/agreements/", "/imports/"):
        for size in (2, 200):
            with django_assert_max_num_queries(6):
                assert api.get(API + path, {"page_size": size}).status_code == 200
