"""Caseload alerts: staff on open cases hear about agreement changes of their agencies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from agencies.models import Agency
from tests.agencies.conftest import participating_csv, run_list
from tests.factories import CaseFactory, DetentionEventFactory

D = dt.date
pytestmark = pytest.mark.django_db

FIRST = participating_csv(
    [
        ("FLORIDA", "Alpha Police Department", "TFM", "3/10/2025"),
        ("FLORIDA", "Beta County Sheriff's Office", "JEM", "1/5/2025"),
        ("FLORIDA", "Gamma Police Department", "TFM", "3/1/2025"),
    ]
)
# Alpha gone (ended), Beta's signed date corrected, Gamma unchanged.
SECOND = participating_csv(
    [
        ("FLORIDA", "Beta County Sheriff's Office", "JEM", "1/6/2025"),
        ("FLORIDA", "Gamma Police Department", "TFM", "3/1/2025"),
    ]
)


@pytest.fixture
def directory(db):
    run_list(FIRST, "first.csv", D(2025, 4, 1))
    return {a.name.split()[0]: a for a in Agency.objects.all()}


def test_people_on_open_cases_get_one_alert_per_import_naming_agency_change_and_cases(
    directory, north, south, alice, bob, carol, dave, erin, django_capture_on_commit_callbacks
):
    alpha, beta, gamma = directory["Alpha"], directory["Beta"], directory["Gamma"]
    for user in (alice, carol):
        user.email = f"{user.username}@example.org"
        user.save()
    north_case = CaseFactory(office=north, caseworker=alice, attorney=bob, status="open")
    DetentionEventFactory(case=north_case, arresting_agency=alpha, custody_agency=beta)
    second_north = CaseFactory(office=north, caseworker=alice, status="new")
    DetentionEventFactory(case=second_north, arresting_agency=alpha)
    south_case = CaseFactory(office=south, caseworker=carol, attorney=dave, status="open")
    DetentionEventFactory(case=south_case, custody_agency=beta)
    closed = CaseFactory(office=north, caseworker=alice, status="closed", closed_on=D(2025, 3, 30))
    DetentionEventFactory(case=closed, arresting_agency=alpha)
    # Assigned to alice but in an office she cannot see: never named to her.
    hidden = CaseFactory(office=south, caseworker=alice, status="open")
    DetentionEventFactory(case=hidden, arresting_agency=alpha)
    DetentionEventFactory(
        case=CaseFactory(office=north, caseworker=bob, status="open"), arresting_agency=gamma
    )

    with django_capture_on_commit_callbacks(execute=True):
        run = run_list(SECOND, "second.csv", D(2025, 5, 1))

    assert run.notified_count == 4
    (note,) = alice.notifications.all()
    assert "Alpha Police Department (FL): Task Force Model ended" in note.message
    assert (
        "Beta County Sheriff's Office (FL): Jail Enforcement Model signed date changed to "
        "2025-01-06" in note.message
    )
    assert north_case.number in note.message and second_north.number in note.message
    assert closed.number not in note.message and hidden.number not in note.message
    assert note.url == f"/agencies/imports/{run.public_id}/"
    assert bob.notifications.count() == 1  # the Gamma case changed nothing
    assert north_case.number in bob.notifications.get().message
    (carol_note,) = carol.notifications.all()
    assert south_case.number in carol_note.message and "Alpha" not in carol_note.message
    assert dave.notifications.count() == 1 and not erin.notifications.exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "carol@example.org"]
    assert {m.subject for m in mail.outbox} == {"287(g) agreement changes affecting your cases"}
    assert north_case.number in mail.outbox[0].body + mail.outbox[1].body


def test_an_import_that_changes_nothing_for_open_cases_notifies_nobody(
    directory, north, alice, django_capture_on_commit_callbacks
):
    case = CaseFactory(office=north, caseworker=alice, status="open")
    DetentionEventFactory(case=case, arresting_agency=directory["Gamma"])
    with django_capture_on_commit_callbacks(execute=True):
        run = run_list(SECOND, "second.csv", D(2025, 5, 1))
    assert run.notified_count == 0 and not alice.notifications.exists()
