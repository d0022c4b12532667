"""directory_export / directory_history (commands and the directory page's downloads):
the canonical CSVs attorneys cite."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.agencies.conftest import participating_csv, pending_csv, run_list
from tests.conftest import login
from tests.factories import UserFactory

D = dt.date
APRIL = participating_csv(
    [
        ("TEXAS", "Beta County Sheriff's Office", "JEM", "1/5/2025", "Beta"),
        ("FLORIDA", "Alpha Police Department", "TFM", "", "Lee"),
    ]
)
MAY = participating_csv([("FLORIDA", "Alpha Police Department", "TFM", "", "Lee")])


def command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def two_lists(db):
    run_list(APRIL, "participatingAgencies04012025.csv", D(2025, 4, 1))
    run_list(MAY, "participatingAgencies05012025.csv", D(2025, 5, 1))
    run_list(
        pending_csv([("OHIO", "Gamma County Sheriff's Office", "WSO")]),
        "pendingAgencies05012025.csv",
        D(2025, 5, 1),
        kind="pending",
    )


def test_export_gives_each_agreement_its_status_that_day_with_evidence(two_lists):
    # Before its first listing, Beta is in force only by its signed date: said so.
    assert command("directory_export", "--as-of", "2025-03-01") == (
        "state,agency,county,model,status,signed_on,evidence\n"
        "TX,Beta County Sheriff's Office,Beta,JEM,active,2025-01-05,\"per ICE's signed date "
        "2025-01-05, not yet listed (first on the ICE participating list of 2025-04-01, "
        'participatingAgencies04012025.csv row 2)"\n'
    )
    # Between the last list showing Beta and the list without it, its end is unknown.
    assert command("directory_export", "--as-of", "2025-04-15") == (
        "state,agency,county,model,status,signed_on,evidence\n"
        "FL,Alpha Police Department,Lee,TFM,active,,ICE participating list of 2025-04-01 "
        "(participatingAgencies04012025.csv row 3)\n"
        "TX,Beta County Sheriff's Office,Beta,JEM,not listed,2025-01-05,"
        '"last listed 2025-04-01, gone by 2025-05-01"\n'
    )
    assert command("directory_export", "--as-of", "2025-05-02") == (
        "state,agency,county,model,status,signed_on,evidence\n"
        "FL,Alpha Police Department,Lee,TFM,active,,ICE participating list of 2025-05-01 "
        "(participatingAgencies05012025.csv row 2)\n"
        "OH,Gamma County Sheriff's Office,,WSO,pending,,ICE pending list of 2025-05-01 "
        "(pendingAgencies05012025.csv row 2)\n"
        "TX,Beta County Sheriff's Office,Beta,JEM,ended,2025-01-05,"
        '"last listed 2025-04-01, gone by 2025-05-01"\n'
    )
    assert command("directory_export", "--as-of", "2024-12-31").count("\n") == 1


def test_history_lists_every_change_in_canonical_order(two_lists):
    assert command("directory_history").splitlines() == [
        "state,agency,model,change,effective_on,list_date",
        "FL,Alpha Police Department,TFM,created,2025-04-01,2025-04-01",
        "OH,Gamma County Sheriff's Office,WSO,created,2025-05-01,2025-05-01",
        "TX,Beta County Sheriff's Office,JEM,created,2025-04-01,2025-04-01",
        "TX,Beta County Sheriff's Office,JEM,ended,2025-05-01,2025-05-01",
    ]


def test_importing_a_list_twice_changes_neither_export(two_lists):
    before = command("directory_export", "--as-of", "2025-05-02"), command("directory_history")
    run_list(MAY, "participatingAgencies05012025.csv", D(2025, 5, 1))
    after = command("directory_export", "--as-of", "2025-05-02"), command("directory_history")
    assert after == before


def test_export_refuses_a_date_it_cannot_read(db):
    with pytest.raises(CommandError, match="not a date"):
        command("directory_export", "--as-of", "June 1st")


def test_directory_page_offers_the_same_csvs_as_downloads(client, alice, two_lists):
    login(client, alice)
    page = client.get(reverse("agencies:list"))
    assert reverse("agencies:export").encode() in page.content
    response = client.get(reverse("agencies:export"), {"as_of": "2025-05-02"})
    assert response["Content-Disposition"] == 'attachment; filename="287g-directory-2025-05-02.csv"'
    assert response.content.decode() == command("directory_export", "--as-of", "2025-05-02")
    response = client.get(reverse("agencies:history"))
    assert response.content.decode() == command("directory_history")
    assert client.get(reverse("agencies:export"), {"as_of": "soon"}).status_code == 400


def test_downloads_need_a_role(client, two_lists):
    login(client, UserFactory(username="norole"))
    assert client.get(reverse("agencies:export")).status_code == 403
    assert client.get(reverse("agencies:history")).status_code == 403


def test_rebuilding_a_directory_that_matches_its_lists_adds_nothing(two_lists):
    before = command("directory_history")
    assert command("directory_rebuild") == "Rebuilt the 287(g) directory: 0 changes added.\n"
    assert command("directory_history") == before
