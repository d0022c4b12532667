"""A rebuild that changes what the history says about a stored event's date flags it for
the attorneys of its office; the snapshot stays as logged until one decides (issue 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from agencies.models import Agency
from audit.models import AuditEntry
from cases import services
from tests.agencies.conftest import participating_csv, run_list
from tests.conftest import login
from tests.factories import CaseFactory

D = dt.date
pytestmark = pytest.mark.django_db
ALPHA = [("FLORIDA", "Alpha Police Department", "TFM", "")]


@pytest.fixture
def logged(alice, north):
    run_list(participating_csv(ALPHA), "participatingAgencies04012025.csv", D(2025, 4, 1))
    (alpha,) = Agency.objects.all()
    case = CaseFactory(office=north, caseworker=alice)
    events = [
        services.detention_log(
            actor=alice,
            case=case,
            event_date=on,
            state="FL",
            encounter="traffic_stop",
            arresting_agency=alpha,
        )  # fmt: skip
        for on in (D(2025, 3, 15), D(2025, 3, 20))
    ]
    assert [e.models_at("arresting") for e in events] == [[], []]
    # An older list arrives: Alpha was already in force on 1 March.
    older = [*ALPHA, ("FLORIDA", "Beta Police Department", "TFM", "")]
    run_list(participating_csv(older), "participatingAgencies03012025.csv", D(2025, 3, 1))
    for event in events:
        event.refresh_from_db()
    return events


def test_a_rebuild_flags_events_it_reads_differently_and_keeps_their_snapshot(logged):
    first, second = logged
    assert first.directory_flag == {
        "arresting": {
            "was": [],
            "now": ["TFM"],
            "why": {
                "TFM": "ICE participating list of 2025-03-01 "
                "(participatingAgencies03012025.csv row 2)"
            },
        }
    }
    assert first.directory_flagged_at and not first.arresting_tfm  # stays as logged


def test_attorneys_accept_or_keep_and_caseworkers_only_see(client, alice, bob, logged):
    first, second = logged
    url = reverse("cases:directory-queue")
    login(client, alice)
    page = client.get(url).content.decode()
    assert "was —, now TFM" in page and "Accept the directory" not in page
    client.post(reverse("cases:directory-decide", args=[first.public_id]), {"decision": "accept"})
    first.refresh_from_db()
    assert first.directory_flag and not first.arresting_tfm

    login(client, bob)
    assert "Accept the directory" in client.get(url).content.decode()
    client.post(reverse("cases:directory-decide", args=[first.public_id]), {"decision": "accept"})
    client.post(reverse("cases:directory-decide", args=[second.public_id]), {"decision": "keep"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.arresting_tfm and first.directory_flag == {}
    assert "participatingAgencies03012025.csv" in first.snapshot_evidence["arresting"]["TFM"]
    assert not second.arresting_tfm and second.directory_flag == {}
    assert AuditEntry.objects.filter(summary__startswith="Directory change accepted").count() == 1
    assert AuditEntry.objects.filter(summary__startswith="Stored snapshot kept").count() == 1
    assert "Nothing to decide" in client.get(url).content.decode()


def test_other_offices_never_see_the_flag(client, carol, logged):
    login(client, carol)
    assert "Nothing to decide" in client.get(reverse("cases:directory-queue")).content.decode()
    response = client.post(
        reverse("cases:directory-decide", args=[logged[0].public_id]), {"decision": "accept"}
    )
    assert response.status_code == 404
