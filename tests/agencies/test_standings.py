"""agency_standings_on says why each model was in force, and detention events keep it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from agencies.models import Agency
from agencies.selectors import agency_standings_on
from cases import services
from cases.models import DetentionEvent
from cases.services.events import detention_snapshot_fill
from tests.agencies.conftest import participating_csv, run_list
from tests.conftest import login
from tests.factories import CaseFactory

D = dt.date


@pytest.fixture
def agencies(db):
    run_list(
        participating_csv(
            [
                ("TEXAS", "Beta County Sheriff's Office", "JEM", "1/5/2025"),
                ("FLORIDA", "Alpha Police Department", "TFM", ""),
            ]
        ),
        "participatingAgencies04012025.csv",
        D(2025, 4, 1),
    )
    return {a.name.split()[0]: a for a in Agency.objects.all()}


def test_evidence_is_the_signed_date_or_the_list_that_showed_it(agencies):
    beta, alpha = agencies["Beta"], agencies["Alpha"]
    before_listing = agency_standings_on(agency_ids=[beta.pk, alpha.pk], on_date=D(2025, 3, 1))
    assert before_listing[beta.pk].evidence == (
        (
            "JEM",
            "per ICE's signed date 2025-01-05, not yet listed (first on the ICE participating "
            "list of 2025-04-01, participatingAgencies04012025.csv row 2)",
        ),
    )
    assert before_listing[alpha.pk].evidence == ()
    listed = agency_standings_on(agency_ids=[alpha.pk, beta.pk], on_date=D(2025, 4, 2))
    assert listed[alpha.pk].evidence == (
        ("TFM", "ICE participating list of 2025-04-01 (participatingAgencies04012025.csv row 3)"),
    )
    assert listed[beta.pk].evidence == (
        (
            "JEM",
            "ICE participating list of 2025-04-01 (participatingAgencies04012025.csv row 2), "
            "signed 2025-01-05",
        ),
    )


def test_a_detention_event_stores_why_each_model_was_in_force(agencies):
    event = DetentionEvent(
        event_date=D(2025, 4, 2), arresting_agency=agencies["Alpha"], custody_agency=None
    )
    detention_snapshot_fill(event)
    assert event.arresting_tfm
    assert event.snapshot_evidence == {
        "arresting": {
            "TFM": "ICE participating list of 2025-04-01 (participatingAgencies04012025.csv row 3)"
        }
    }


def test_the_event_page_prints_the_evidence_of_each_stored_model(client, alice, north, agencies):
    case = CaseFactory(office=north, caseworker=alice)
    event = services.detention_log(
        actor=alice,
        case=case,
        event_date=D(2025, 4, 2),
        state="FL",
        encounter="traffic_stop",
        arresting_agency=agencies["Alpha"],
    )
    login(client, alice)
    page = client.get(reverse("cases:event", args=[event.public_id])).content.decode()
    assert (
        "TFM: ICE participating list of 2025-04-01 (participatingAgencies04012025.csv row 3)"
        in page
    )
