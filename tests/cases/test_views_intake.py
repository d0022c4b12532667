"""The intake page: a hotline call from first name to open case, without duplicates."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Client, DetentionEvent, Intake
from tests.cases.workflow import (
    jem_sheriff,
    make_case,
    task_force_police,
)
from tests.conftest import login
from tests.factories import ClientFactory

URL = reverse("cases:intake")
DUPLICATES = reverse("cases:intake-duplicates")
TODAY = timezone.localdate().isoformat()


def _post(client, **extra):
    data = {
        "given_names": "José",
        "family_names": "García López",
        "date_of_birth": "1990-04-12",
        "received_on": TODAY,
        "channel": "hotline",
        "caller_name": "Marta",
        "narrative": "Stopped on Route 4, now at the county jail.",
    }
    data.update(extra)
    return client.post(URL, {k: v for k, v in data.items() if v is not None})


def _existing(office, **fields):
    defaults = {
        "given_names": "José",
        "family_names": "García López",
        "date_of_birth": dt.date(1990, 4, 12),
        "search_name": "jose garcia lopez",
    }
    return make_case(office, client=ClientFactory(**{**defaults, **fields})).client


# The standard four: works, login, other office, method, queries -------------------------


def test_intake_creates_client_case_and_intake(client, alice, north):
    response = _post(login(client, alice))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.public_id]) + "?saved=intake"
    assert case.office == north and case.caseworker == alice
    assert case.client.full_name == "José García López"
    assert Intake.objects.get().caller_name == "Marta"


def test_intake_requires_login_and_comes_back_after_it(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={URL}"
    # An expired session while typing: the POST also sends the user to log in again and
    # back to the intake page, where the browser restores the draft.
    response = _post(client)
    assert response["Location"] == f"/login/?next={URL}"
    assert not Client.objects.exists()


def test_intake_rejects_other_methods(client, alice):
    assert login(client, alice).put(URL).status_code == 405


def test_intake_page_query_count(client, alice, django_assert_num_queries):
    login(client, alice)
    with django_assert_num_queries(6):
        response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-draft="intake"' in body
    assert f'name="received_on" value="{TODAY}"' in body  # today, ready for the call


# Validation: everything typed comes back -------------------------------------------------


def test_errors_rerender_with_everything_typed_and_tied_to_fields(client, alice):
    police = task_force_police()
    response = _post(
        login(client, alice),
        a_number="B12",
        narrative="",
        **{
            "event-event_date": "2025-06-02",
            "event-state": "FL",
            "event-encounter": "traffic_stop",
            "event-arresting_agency": str(police.public_id),
            "event-arresting_agency_name": police.name,
            "event-charges": "Driving without a licence",
            "event-outcome": "detained",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="García López"' in body and 'value="B12"' in body
    assert "Driving without a licence" in body and 'value="2025-06-02"' in body
    assert str(police.public_id) in body  # the chosen agency survives the round trip
    assert 'aria-describedby="id_a_number_helptext id_a_number_error"' in body
    assert 'id="id_a_number_error"' in body and "letter A followed by 8 or 9 digits" in body
    assert 'id="id_narrative_error"' in body
    assert "badge-TFM" in body  # the picker still shows the agency's models that day
    assert not Client.objects.exists()


def test_event_errors_from_the_service_land_on_the_event_fields(client, alice):
    response = _post(
        login(client, alice),
        **{
            "event-event_date": "2025-06-02",
            "event-state": "FL",
            "event-encounter": "traffic_stop",
            "event-outcome": "released",
            "event-outcome_date": "2025-06-01",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_event-outcome_date_error"' in body and "before the arrest date" in body
    assert not Case.objects.exists()


def test_first_event_logged_with_both_agencies_and_typed_name_kept(client, alice):
    police, jail = task_force_police(), jem_sheriff()
    response = _post(
        login(client, alice),
        **{
            "event-event_date": "2025-06-02",
            "event-state": "FL",
            "event-encounter": "traffic_stop",
            "event-arresting_agency_name": "springfield police department",  # typed, exact
            "event-custody_agency": str(jail.public_id),
            "event-custody_agency_name": jail.name,
            "event-outcome": "detained",
        },
    )
    assert response.status_code == 302
    event = DetentionEvent.objects.get()
    assert event.arresting_agency == police and event.custody_agency == jail
    assert event.arresting_models == ["TFM"] and event.custody_models == ["JEM"]


def test_unknown_agency_needs_the_not_in_directory_tick(client, alice):
    fields = {
        "event-event_date": "2025-06-02",
        "event-state": "FL",
        "event-encounter": "home",
        "event-arresting_agency_name": "Town of Nowhere Constable",
        "event-outcome": "detained",
    }
    response = _post(login(client, alice), **fields)
    assert response.status_code == 400
    assert "Not in the directory" in response.content.decode()
    response = _post(client, **fields, **{"event-arresting_unlisted": "on"})
    assert response.status_code == 302
    assert DetentionEvent.objects.get().arresting_agency_name == "Town of Nowhere Constable"


# Duplicates --------------------------------------------------------------------------------


def test_second_intake_of_the_same_person_asks_first(client, alice, north):
    existing = _existing(north)
    response = _post(login(client, alice), given_names="Jose", family_names="Garcia-Lopez")
    body = response.content.decode()
    assert response.status_code == 200
    assert "This person may already be a client" in body
    assert f'value="client:{existing.public_id}"' in body
    assert 'value="Garcia-Lopez"' in body  # still typed
    assert Case.objects.count() == 1

    response = _post(
        client,
        given_names="Jose",
        family_names="Garcia-Lopez",
        phone="555-0100",
        duplicate_choice=f"client:{existing.public_id}",
    )
    assert response.status_code == 302
    assert Client.objects.count() == 1 and Case.objects.filter(client=existing).count() == 2
    existing.refresh_from_db()
    assert existing.phone == "555-0100"  # a blank on the record was filled in


def test_confirming_a_new_person_creates_one(client, alice, north):
    _existing(north)
    response = _post(login(client, alice), duplicate_choice="new")
    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_a_choice_not_among_the_candidates_is_asked_again(client, alice, north, south):
    _existing(north)
    stranger = _existing(south, given_names="Pedro", search_name="pedro")
    response = _post(login(client, alice), duplicate_choice=f"client:{stranger.public_id}")
    assert response.status_code == 200
    assert Case.objects.count() == 2  # nothing created, and the other office's client not used


def test_a_number_of_another_offices_client_is_refused_without_showing_it(client, alice, south):
    """Knowing an A-number must not give access to another office's client record."""
    _existing(
        south, given_names="Ana", family_names="Ruiz", a_number="A123456789", search_name="ana r"
    )
    for choice in ("new", "a_number"):
        response = _post(login(client, alice), a_number="123-456-789", duplicate_choice=choice)
        body = response.content.decode()
        assert response.status_code == 200
        assert "already recorded for a client of another office" in body
        assert "Ana Ruiz" not in body and 'value="new"' not in body
        assert 'value="123-456-789"' in body  # what was typed is still there
    assert Case.objects.filter(office__code="north").count() == 0
    assert Client.objects.count() == 1


def test_live_duplicate_panel(client, alice, north, south):
    existing = _existing(north)
    _existing(south, given_names="José", family_names="García Lópes", search_name="jose garcia")
    response = login(client, alice).get(
        DUPLICATES,
        {"given_names": "Jose", "family_names": "Lopez Garcia", "date_of_birth": "1990-04-12"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('name="duplicate_choice"') == 2  # the North client and "new person"
    assert str(existing.public_id) in body


def test_live_panel_after_session_expiry_sends_the_page_to_login(client, db):
    response = client.get(
        DUPLICATES,
        {"family_names": "x"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/cases/intake/"},
    )
    assert response["HX-Redirect"] == "/login/?next=/cases/intake/"


@pytest.mark.parametrize("method", ["post", "delete"])
def test_live_panel_is_get_only(client, alice, method):
    assert getattr(login(client, alice), method)(DUPLICATES).status_code == 405


def test_every_error_is_shown_in_one_round(client, alice, north):
    """A future call date is reported together with the other mistakes, not after them."""
    response = _post(login(client, alice), received_on="2999-01-05", a_number="12345")
    body = response.content.decode()
    assert response.status_code == 400
    assert "cannot be in the future" in body and "8 or 9 digits" in body
