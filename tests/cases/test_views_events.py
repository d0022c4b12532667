"""Detention event form, agency picker endpoints, event page and the "to link" queue."""

import datetime as dt

import pytest
from django.urls import reverse

from agencies.importer.normalize import agency_match_key
from agencies.models import AgencyAlias, AgreementStatus
from cases import services
from cases.models import DetentionEvent
from tests.cases.workflow import (
    agency,
    jem_sheriff,
    make_case,
    task_force_police,
)
from tests.conftest import login
from tests.factories import AgreementFactory

AUTOCOMPLETE = reverse("cases:agency-autocomplete")
STANDING = reverse("cases:agency-standing")
TO_LINK = reverse("cases:to-link")


@pytest.fixture
def case(north, alice):
    return make_case(north, caseworker=alice)


def _event_data(**extra):
    return {
        "event_date": "2025-06-02",
        "date_precision": "exact",
        "state": "FL",
        "encounter": "traffic_stop",
        "outcome": "detained",
        **extra,
    }


def _log(case, actor, **fields):
    return services.detention_log(
        actor=actor,
        case=case,
        event_date=dt.date(2025, 6, 2),
        state="FL",
        encounter="traffic_stop",
        **fields,
    )


# Event form ------------------------------------------------------------------------------


def test_new_event_stores_the_snapshot_and_shows_it(client, alice, case):
    police, jail = task_force_police(), jem_sheriff()
    login(client, alice)
    response = client.post(
        reverse("cases:event-new", args=[case.public_id]),
        _event_data(
            arresting_agency=str(police.public_id),
            arresting_agency_name=police.name,
            custody_agency=str(jail.public_id),
            custody_agency_name=jail.name,
        ),
    )
    event = DetentionEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cases:event", args=[event.public_id]))
    body = client.get(reverse("cases:event", args=[event.public_id])).content.decode()
    assert "badge-TFM" in body and "badge-JEM" in body


def test_event_form_requires_login_write_access_and_hides_other_offices(client, case, carol, erin):
    new = reverse("cases:event-new", args=[case.public_id])
    assert client.get(new).status_code == 302
    assert login(client, carol).get(new).status_code == 404
    assert client.post(new, _event_data()).status_code == 404
    assert login(client, erin).get(new).status_code == 403
    assert not DetentionEvent.objects.exists()


def test_event_pages_of_another_office_are_404(client, alice, carol, case):
    event = _log(case, alice)
    login(client, carol)
    for name in ("cases:event", "cases:event-edit", "cases:event-link"):
        assert client.get(reverse(name, args=[event.public_id])).status_code == 404


def test_event_page_rejects_post(client, alice, case):
    event = _log(case, alice)
    assert (
        login(client, alice).post(reverse("cases:event", args=[event.public_id])).status_code == 405
    )


def test_editing_the_date_recomputes_the_snapshot(client, alice, case):
    police = task_force_police()
    event = _log(case, alice, arresting_agency=police)
    assert event.arresting_models == ["TFM"]
    edit = reverse("cases:event-edit", args=[event.public_id])
    login(client, alice)
    page = client.get(edit).content.decode()
    assert 'value="Springfield Police Department"' in page and str(police.public_id) in page
    response = client.post(
        edit,
        _event_data(
            event_date="2025-01-10",
            arresting_agency=str(police.public_id),
            arresting_agency_name=police.name,
        ),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.arresting_models == []  # the agreement was signed on 2025-02-01


def test_release_before_arrest_is_explained_on_the_field(client, alice, case):
    login(client, alice)
    response = client.post(
        reverse("cases:event-new", args=[case.public_id]),
        _event_data(outcome="released", outcome_date="2025-05-01", bond_amount="-5"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_bond_amount_error"' in body
    response = client.post(
        reverse("cases:event-new", args=[case.public_id]),
        _event_data(outcome="released", outcome_date="2025-05-01", encounter=""),
    )
    body = response.content.decode()
    # Both the form's and the service's problems are explained in the same round trip.
    assert "cannot be before the arrest date" in body and 'id="id_encounter_error"' in body
    assert not DetentionEvent.objects.exists()


# Agency picker endpoints ----------------------------------------------------------------


def test_autocomplete_searches_names_and_aliases_within_the_state(
    client, alice, django_assert_num_queries
):
    sheriff = jem_sheriff()
    # No word of this alias is in the agency's name: only the alias search can find it.
    AgencyAlias.objects.create(
        agency=sheriff, name="Capital Co. Jail", match_key=agency_match_key("Capital Co. Jail")
    )
    agency("Sangamon County Sheriff's Office", state="IL", models=("WSO",))
    AgreementFactory(
        agency=task_force_police(),
        model="JEM",
        status=AgreementStatus.PENDING,
        first_seen_on=dt.date(2025, 5, 1),
        last_seen_on=dt.date(2025, 6, 1),
    )
    login(client, alice)
    params = {
        "role": "custody",
        "prefix": "event",
        "event-state": "FL",
        "event-event_date": "2025-06-02",
    }
    with django_assert_num_queries(8):
        body = client.get(
            AUTOCOMPLETE, {**params, "event-custody_agency_name": "capital county jail"}
        )
    body = body.content.decode()
    assert body.count('role="option" id="custody-opt-') == 2  # one agency + "not in the directory"
    assert "Sangamon County Sheriff&#x27;s Office" in body and "also “Capital Co. Jail”" in body
    assert "badge-JEM" in body and "WSO" not in body
    body = client.get(
        AUTOCOMPLETE, {**params, "event-custody_agency_name": "springfield pd"}
    ).content.decode()
    assert "badge-TFM" in body and "JEM pending" in body


def test_autocomplete_needs_two_letters_and_a_known_role(client, alice):
    login(client, alice)
    body = client.get(AUTOCOMPLETE, {"role": "arresting", "arresting_agency_name": "s"})
    assert "at least 2 letters" in body.content.decode()
    assert client.get(AUTOCOMPLETE, {"role": "judge"}).status_code == 404


def test_standing_shows_models_on_the_event_date(client, alice):
    police = task_force_police()
    login(client, alice)
    params = {"role": "arresting", "arresting_agency": str(police.public_id), "state": "FL"}
    assert (
        "badge-TFM" in client.get(STANDING, {**params, "event_date": "2025-06-02"}).content.decode()
    )
    before = client.get(STANDING, {**params, "event_date": "2025-01-02"}).content.decode()
    assert "no 287(g) agreement" in before
    no_date = client.get(STANDING, params).content.decode()
    assert "Enter the event date" in no_date


def test_picker_endpoints_require_login(client, db):
    assert client.get(AUTOCOMPLETE).status_code == 302
    response = client.get(STANDING, headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith("/login/")
    assert client.post(AUTOCOMPLETE).status_code in (302, 405)


# The "to link" queue ------------------------------------------------------------------------


def test_typed_agency_is_queued_then_linked_with_its_snapshot(client, alice, carol, case, south):
    event = _log(case, alice, custody_agency_name="Sangamon jail")
    _log(make_case(south), carol, custody_agency_name="Other office's jail")
    login(client, alice)
    body = client.get(TO_LINK).content.decode()
    assert "Sangamon jail" in body and "Other office" not in body
    link = reverse("cases:event-link", args=[event.public_id])
    assert client.get(link).status_code == 200
    response = client.post(link, {"role": "custody", "custody_agency_name": "x"})
    assert response.status_code == 400 and "Pick an agency" in response.content.decode()
    jail = jem_sheriff()
    response = client.post(link, {"role": "custody", "custody_agency": str(jail.public_id)})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.custody_agency == jail and event.custody_models == ["JEM"]
    assert "Custody: “Sangamon jail”" not in client.get(TO_LINK).content.decode()


def test_to_link_requires_login_and_get(client, alice):
    assert client.get(TO_LINK).status_code == 302
    assert login(client, alice).post(TO_LINK).status_code == 405


def test_to_link_query_count(client, alice, case, django_assert_num_queries):
    for index in range(15):
        _log(case, alice, arresting_agency_name=f"Unknown PD {index}")
    login(client, alice)
    with django_assert_num_queries(9):
        response = client.get(TO_LINK)
    assert response.content.decode().count("Unknown PD") == 15
