"""The cases REST API: lists, filters, cursor pages, writes through services, access."""

import uuid

import pytest
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEntry
from cases.models import Case, DetentionEvent, Intake, Note, SavedSearch
from tests.api import world as fixtures
from tests.conftest import api_token_key
from tests.factories import CaseFactory, DetentionEventFactory

# Shared fixtures (a module attribute, so pytest finds them here).
world = fixtures.world

API = "/api/v1"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def ids(response):
    return [r["id"] for r in response.json()["results"]]


# Works / login / method -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/cases/", "/events/", "/clients/", "/saved-searches/", "/schema/"]
)
def test_requires_authentication(api, world, path):
    response = api.get(API + path)
    assert response.status_code in (401, 403)
    assert "results" not in response.content.decode()


def test_token_authentication(api, world, alice):
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_key(alice)}")
    assert api.get(API + "/cases/").status_code == 200


def test_case_list_and_filters(api, world, alice):
    as_user(api, alice)
    response = api.get(API + "/cases/")
    assert response.status_code == 200
    assert [r["number"] for r in response.json()["results"]] == [
        "2025-000003",
        "2025-000001",
        "2025-000002",
    ]
    response = api.get(API + "/cases/", {"agency": str(world.T.public_id), "encounter": "home"})
    assert [r["number"] for r in response.json()["results"]] == ["2025-000002"]


def test_unknown_filter_is_a_json_400(api, world, alice):
    response = as_user(api, alice).get(API + "/cases/", {"notes__privileged": "true"})
    assert response.status_code == 400
    assert "notes__privileged" in response.json()["non_field_errors"][0]
    response = api.get(API + "/events/", {"detainer": "perhaps"})
    assert response.status_code == 400 and "detainer" in response.json()


def test_cursor_pages_and_page_size_cap(api, world, alice, north):
    as_user(api, alice)
    for i in range(5):
        CaseFactory(office=north, number=f"2024-{i:06d}")
    first = api.get(API + "/cases/", {"page_size": 3, "ordering": "number"}).json()
    assert [r["number"] for r in first["results"]] == ["2024-000000", "2024-000001", "2024-000002"]
    assert first["previous"] is None
    second = api.get(first["next"]).json()
    assert [r["number"] for r in second["results"]] == ["2024-000003", "2024-000004", "2025-000001"]
    back = api.get(second["previous"]).json()
    assert [r["number"] for r in back["results"]] == [r["number"] for r in first["results"]]
    assert api.get(API + "/cases/", {"page_size": 201}).status_code == 400
    assert api.get(API + "/cases/", {"page_size": "lots"}).status_code == 400
    assert api.get(API + "/cases/", {"cursor": "garbage"}).status_code == 400


def test_list_query_counts_do_not_grow(api, world, alice, north, django_assert_max_num_queries):
    as_user(api, alice)
    for i in range(30):
        case = CaseFactory(office=north, number=f"2024-{i:06d}")
        DetentionEventFactory(case=case, arresting_agency=world.S)
    for path, size in [
        ("/cases/", 5),
        ("/cases/", 200),
        ("/events/", 5),
        ("/events/", 200),
        ("/clients/", 5),
        ("/clients/", 200),
    ]:
        with django_assert_max_num_queries(6):
            response = api.get(API + path, {"page_size": size})
        assert response.status_code == 200


# Another office: 404 in paths, 400 in filters and bodies, nothing changes ------------------


def test_other_office_objects_are_404(api, world, alice):
    as_user(api, alice)
    assert api.get(f"{API}/cases/{world.c4.public_id}/").status_code == 404
    assert api.get(f"{API}/events/{world.e4.public_id}/").status_code == 404
    assert api.get(f"{API}/clients/{world.c4.client.public_id}/").status_code == 404
    assert api.get(f"{API}/cases/{world.c4.public_id}/notes/").status_code == 404
    assert api.get(f"{API}/cases/{world.c4.public_id}/deadlines/").status_code == 404
    response = api.patch(f"{API}/events/{world.e4.public_id}/", {"county": "X"}, format="json")
    assert response.status_code == 404
    assert (
        api.post(f"{API}/cases/{world.c4.public_id}/status/", {"status": "open"}).status_code == 404
    )
    world.e4.refresh_from_db()
    assert world.e4.county == "Example"


def test_other_office_ids_in_filters_are_400(api, world, alice, carol, south):
    as_user(api, alice)
    assert api.get(API + "/cases/", {"office": str(south.public_id)}).status_code == 400
    assert api.get(API + "/events/", {"caseworker": str(carol.public_id)}).status_code == 400


def test_other_office_ids_in_bodies_are_400_and_change_nothing(api, world, alice, south):
    as_user(api, alice)
    before = DetentionEvent.objects.count()
    response = api.post(
        API + "/events/",
        {
            "case": str(world.c4.public_id),
            "event_date": "2025-03-01",
            "state": "FL",
            "encounter": "home",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "does not exist" in response.json()["case"][0]
    response = api.post(
        API + "/cases/",
        {"client": str(world.c4.client.public_id), "office": "north"},
        format="json",
    )
    assert response.status_code == 400 and "client" in response.json()
    response = api.post(
        API + "/cases/",
        {"client": str(world.c1.client.public_id), "office": "south"},
        format="json",
    )
    assert response.status_code == 400 and "office" in response.json()
    assert DetentionEvent.objects.count() == before and Case.objects.count() == 4


# Writes go through services ---------------------------------------------------------------


def test_log_event_computes_snapshot_and_audits(api, world, alice):
    as_user(api, alice)
    response = api.post(
        API + "/events/",
        {
            "case": str(world.c3.public_id),
            "event_date": "2025-05-02",
            "state": "FL",
            "encounter": "street",
            "arresting_agency": str(world.S.public_id),
            "custody_agency": str(world.S.public_id),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["arresting_models"] == ["JEM"] and body["needs_scope_review"] is True
    event = DetentionEvent.objects.get(public_id=body["id"])
    assert AuditEntry.objects.filter(target_id=str(event.public_id), action="create").exists()


def test_event_validation_errors_are_field_messages(api, world, alice):
    as_user(api, alice)
    response = api.patch(
        f"{API}/events/{world.e1.public_id}/", {"detainer_date": "2025-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detainer_date"] == ["The detainer cannot be before the arrest date."]
    response = api.patch(f"{API}/events/{world.e1.public_id}/", {"case": "x"}, format="json")
    assert response.status_code == 200  # case is read-only on update: ignored, not moved


def test_open_case_for_new_client(api, world, alice):
    as_user(api, alice)
    response = api.post(
        API + "/cases/",
        {
            "new_client": {"given_names": "Lu", "family_names": "Chen", "a_number": "A-987654321"},
            "office": "north",
            "intake": {"received_on": "2025-06-02", "channel": "hotline", "narrative": "Wife"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["office"] == "north"
    case = Case.objects.get(public_id=response.json()["id"])
    assert case.client.a_number == "A987654321"


def test_api_opens_a_case_through_the_intake(api, world, alice):
    """One path for every way in: the API records the intake (so the quarterly "intakes
    received" figure counts API cases) and assigns the caseworker, as the intake page does."""
    as_user(api, alice)
    body = {
        "client": str(world.c3.client.public_id),
        "office": "north",
        "intake": {
            "received_on": "2025-06-03",
            "channel": "jail_visit",
            "caller_name": "Rosa",
            "narrative": "Booked at the county jail this morning.",
        },
    }
    response = api.post(API + "/cases/", body, format="json")
    assert response.status_code == 201, response.json()
    case = Case.objects.get(public_id=response.json()["id"])
    assert (case.opened_on.isoformat(), case.caseworker) == ("2025-06-03", alice)
    intake = Intake.objects.get(case=case)
    assert (intake.channel, intake.caller_name, intake.staff) == ("jail_visit", "Rosa", alice)
    assert AuditEntry.objects.filter(
        case_id=case.pk, target_type="cases.Intake", action=AuditAction.CREATE
    ).exists()


def test_api_case_without_intake_or_with_a_future_one_is_a_400(api, world, alice):
    as_user(api, alice)
    body = {"client": str(world.c3.client.public_id), "office": "north"}
    response = api.post(API + "/cases/", body, format="json")
    assert response.status_code == 400 and "intake" in response.json()
    future = {"received_on": "2999-01-01", "channel": "hotline", "narrative": "x"}
    response = api.post(API + "/cases/", {**body, "intake": future}, format="json")
    assert response.status_code == 400
    assert response.json()["received_on"] == ["The intake date cannot be in the future."]
    assert not Case.objects.filter(client=world.c3.client).exclude(pk=world.c3.pk).exists()


def test_director_reads_all_but_writes_nothing(api, world, erin):
    as_user(api, erin)
    assert api.get(f"{API}/cases/{world.c4.public_id}/").status_code == 200
    response = api.post(
        f"{API}/cases/{world.c4.public_id}/status/",
        {"status": "closed", "outcome": "released"},
        format="json",
    )
    assert response.status_code == 403
    assert (
        api.patch(
            f"{API}/clients/{world.c4.client.public_id}/", {"phone": "1"}, format="json"
        ).status_code
        == 403
    )


def test_case_status_change(api, world, alice):
    as_user(api, alice)
    url = f"{API}/cases/{world.c1.public_id}/status/"
    response = api.post(url, {"status": "closed"}, format="json")
    assert response.status_code == 400 and "outcome" in response.json()
    response = api.post(url, {"status": "closed", "outcome": "released"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"


def test_client_detail_is_audited_and_list_masks_a_number(api, world, alice):
    as_user(api, alice)
    listed = api.get(API + "/clients/", {"q": "perez"}).json()["results"][0]
    assert listed["a_number_masked"] == "A•••-•••-678" and "a_number" not in listed
    detail = api.get(f"{API}/clients/{world.c1.client.public_id}/").json()
    assert detail["a_number_masked"] == "A•••-•••-678" and "a_number" not in detail
    assert AuditEntry.objects.filter(action=AuditAction.VIEW, target_type="cases.Client").exists()
    url = f"{API}/clients/{world.c1.client.public_id}/reveal-a-number/"
    assert api.get(url).status_code == 405
    assert api.post(url).json() == {"a_number": "A012345678"}
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL, actor=alice).count() == 1


# Notes: privileged ones do not exist for caseworkers ---------------------------------------


def test_caseworker_cannot_list_or_probe_privileged_notes(api, world, alice):
    as_user(api, alice)
    notes = api.get(f"{API}/cases/{world.c1.public_id}/notes/").json()["results"]
    assert [n["body"] for n in notes] == ["Called the family"]
    assert (
        api.get(f"{API}/cases/{world.c1.public_id}/notes/{world.secret.public_id}/").status_code
        == 404
    )
    response = api.get(f"{API}/cases/{world.c1.public_id}/notes/", {"privileged": "true"})
    assert response.status_code == 400
    response = api.post(
        f"{API}/cases/{world.c1.public_id}/notes/", {"body": "x", "privileged": True}, format="json"
    )
    assert response.status_code == 400 and "privileged" in response.json()
    assert Note.objects.filter(privileged=True).count() == 1


def test_attorney_reads_and_writes_privileged_notes(api, world, bob):
    as_user(api, bob)
    notes = api.get(f"{API}/cases/{world.c1.public_id}/notes/").json()["results"]
    assert {n["body"] for n in notes} == {"Called the family", "Work product"}
    response = api.post(
        f"{API}/cases/{world.c1.public_id}/notes/",
        {"body": "Theory", "privileged": True},
        format="json",
    )
    assert response.status_code == 201 and response.json()["privileged"] is True


def test_deadlines(api, world, alice):
    as_user(api, alice)
    url = f"{API}/cases/{world.c1.public_id}/deadlines/"
    response = api.post(url, {"kind": "hearing", "due_on": "2025-07-01"}, format="json")
    assert response.status_code == 201
    assert [d["kind"] for d in api.get(url).json()["results"]] == ["hearing"]
    assert api.delete(url).status_code == 405


# Saved searches: own only ------------------------------------------------------------------


def test_saved_searches_are_private(api, world, alice, carol):
    as_user(api, carol)
    theirs = api.post(API + "/saved-searches/", {"name": "S", "query": "detainer=true"}).json()
    as_user(api, alice)
    assert api.get(API + "/saved-searches/").json()["results"] == []
    assert api.get(f"{API}/saved-searches/{theirs['id']}/").status_code == 404
    assert api.delete(f"{API}/saved-searches/{theirs['id']}/").status_code == 404
    mine = api.post(API + "/saved-searches/", {"name": "Mine", "query": "?q=jose&cursor=z"})
    assert mine.status_code == 201 and mine.json()["query"] == "q=jose"
    assert mine.json()["url"].endswith("/cases/?q=jose")
    bad = api.post(API + "/saved-searches/", {"name": "Bad", "query": "nope=1"})
    assert bad.status_code == 400 and "query" in bad.json()
    dup = api.post(API + "/saved-searches/", {"name": "Mine", "query": ""})
    assert dup.status_code == 400 and "name" in dup.json()
    assert api.delete(f"{API}/saved-searches/{mine.json()['id']}/").status_code == 204
    assert SavedSearch.objects.filter(user=carol).count() == 1


def test_unknown_uuid_is_404_json(api, world, alice):
    response = as_user(api, alice).get(f"{API}/cases/{uuid.uuid4()}/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_assign_staff_of_the_office_only(api, world, alice, bob, carol, dave):
    as_user(api, alice)
    url = f"{API}/cases/{world.c3.public_id}/assign/"
    response = api.post(url, {"attorney": str(bob.public_id)}, format="json")
    assert response.status_code == 200 and response.json()["attorney"]["name"] == "Bob"
    response = api.post(url, {"attorney": str(dave.public_id)}, format="json")
    assert response.status_code == 400 and "does not exist" in response.json()["attorney"][0]
    response = api.post(url, {"attorney": str(alice.public_id)}, format="json")
    assert response.status_code == 400 and "attorney" in response.json()  # not an attorney
    world.c3.refresh_from_db()
    assert world.c3.attorney == bob and world.c3.caseworker is None
