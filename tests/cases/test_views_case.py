"""The case page: one timeline, and its write actions (status, assignment, notes, deadlines)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from cases import services
from cases.models import Deadline, Note
from tests.cases.workflow import (
    jem_sheriff,
    make_case,
    task_force_police,
)
from tests.conftest import login
from tests.factories import DetentionEventFactory

TODAY = timezone.localdate()


def url(case, name="cases:detail"):
    return reverse(name, args=[case.public_id])


@pytest.fixture
def case(north, alice, bob):
    return make_case(north, caseworker=alice)


# Standard checks -------------------------------------------------------------------------


def test_case_page_shows_the_timeline_and_audits_the_client_read(client, alice, bob, case):
    police, jail = task_force_police(), jem_sheriff()
    services.detention_log(
        actor=alice,
        case=case,
        event_date=dt.date(2025, 6, 2),
        state="FL",
        encounter="traffic_stop",
        arresting_agency=police,
        custody_agency=jail,
    )
    services.note_add(actor=alice, case=case, body="Called the jail.")
    services.deadline_add(actor=alice, case=case, kind="hearing", due_on=TODAY)
    services.case_set_status(actor=alice, case=case, status="open")
    response = login(client, alice).get(url(case))
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    for text in (
        "Called the jail.",
        "Springfield Police Department",
        "badge-TFM",
        "badge-JEM",
        "Status: Open",
        "Hearing",
    ):
        assert text in body
    assert AuditEntry.objects.filter(
        action=AuditAction.VIEW, case_id=case.pk, actor=alice, target_id=str(case.client.public_id)
    ).exists()


# Login, other offices and admins (404, nothing written): tests/cases/test_access_matrix.py


def test_director_reads_but_cannot_write(client, erin, case):
    login(client, erin)
    response = client.get(url(case))
    assert response.status_code == 200
    assert "You can read this case but not change it." in response.content.decode()
    assert client.post(url(case, "cases:note-add"), {"body": "x"}).status_code == 403


def test_case_page_rejects_post_and_actions_reject_get(client, alice, case):
    login(client, alice)
    assert client.post(url(case)).status_code == 405
    assert client.get(url(case, "cases:note-add")).status_code == 405


@pytest.mark.parametrize("events", [1, 20])
def test_case_page_query_count_does_not_grow(
    client, alice, case, events, django_assert_num_queries
):
    police, jail = task_force_police(), jem_sheriff()
    for index in range(events):
        DetentionEventFactory(
            case=case,
            arresting_agency=police,
            custody_agency=jail,
            arresting_tfm=True,
            custody_jem=True,
        )
        services.note_add(actor=alice, case=case, body=f"note {index}")
        services.deadline_add(actor=alice, case=case, kind="filing", due_on=TODAY)
    login(client, alice)
    with django_assert_num_queries(16):
        response = client.get(url(case))
    assert response.content.decode().count('class="tl-item tl-event"') == events


# Notes --------------------------------------------------------------------------------


def test_privileged_notes_only_for_attorneys(client, alice, bob, case):
    services.note_add(actor=bob, case=case, body="Strategy: challenge the stop.", privileged=True)
    body = login(client, alice).get(url(case)).content.decode()
    assert "challenge the stop" not in body
    assert "1 privileged note (attorney work product) not shown." in body
    assert 'name="privileged"' not in body
    body = login(client, bob).get(url(case)).content.decode()
    assert "challenge the stop" in body and 'name="privileged"' in body


def test_caseworker_cannot_sneak_a_privileged_flag(client, alice, case):
    login(client, alice).post(url(case, "cases:note-add"), {"body": "x", "privileged": "on"})
    assert Note.objects.get().privileged is False


def test_empty_note_is_refused_with_a_message(client, alice, case):
    response = login(client, alice).post(url(case, "cases:note-add"), {"body": "   "})
    assert response.status_code == 400
    assert 'id="id_body_error"' in response.content.decode()


# Deadlines, status, assignment ---------------------------------------------------------


def test_deadline_added_and_bad_date_explained(client, alice, case):
    login(client, alice)
    response = client.post(
        url(case, "cases:deadline-add"),
        {"kind": "bond_hearing", "due_on": (TODAY + dt.timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 302 and Deadline.objects.count() == 1
    response = client.post(
        url(case, "cases:deadline-add"), {"kind": "hearing", "due_on": "2205-01-01"}
    )
    assert response.status_code == 400
    assert "looks like a typo" in response.content.decode()


def test_closing_without_outcome_is_explained_then_recorded(client, alice, case):
    login(client, alice)
    response = client.post(url(case, "cases:status"), {"status": "closed"})
    assert response.status_code == 400
    assert "Choose an outcome to close the case." in response.content.decode()
    response = client.post(url(case, "cases:status"), {"status": "closed", "outcome": "released"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_on == TODAY
    body = client.get(url(case)).content.decode()
    assert "Status: Closed (Released)" in body


def test_assignment_offers_and_accepts_only_office_staff(client, alice, bob, carol, case):
    login(client, alice)
    body = client.get(url(case)).content.decode()
    assert str(bob.public_id) in body and str(carol.public_id) not in body
    response = client.post(url(case, "cases:assign"), {"attorney": str(carol.public_id)})
    assert response.status_code == 400
    response = client.post(
        url(case, "cases:assign"),
        {"caseworker": str(alice.public_id), "attorney": str(bob.public_id)},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.attorney == bob
