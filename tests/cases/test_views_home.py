"""The home page per role."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import CaseStatus
from tests.cases.workflow import (
    make_case,
)
from tests.conftest import login
from tests.factories import ClientFactory

URL = reverse("home")
TODAY = timezone.localdate()


@pytest.fixture
def world(alice, bob, carol, north, south):
    mine = make_case(
        north,
        caseworker=alice,
        status=CaseStatus.OPEN,
        client=ClientFactory(given_names="Mine", search_name="mine"),
    )
    review = make_case(
        north,
        status=CaseStatus.NEW,
        client=ClientFactory(given_names="Unreviewed", search_name="u"),
    )
    make_case(south, caseworker=carol, client=ClientFactory(given_names="Southern"))
    services.detention_log(
        actor=alice, case=mine, event_date=TODAY, state="FL", encounter="workplace"
    )
    services.deadline_add(
        actor=alice, case=mine, kind="bond_hearing", due_on=TODAY + dt.timedelta(days=5)
    )
    services.deadline_add(
        actor=alice, case=mine, kind="filing", due_on=TODAY + dt.timedelta(days=40)
    )
    return {"mine": mine, "review": review}


def test_caseworker_home(client, alice, world):
    body = login(client, alice).get(URL).content.decode()
    assert "My open cases" in body and "Mine Ficticia" in body
    assert "Workplace, FL" in body  # detention logged today
    assert "Bond hearing" in body and "Filing" not in body  # only the next 14 days
    assert "Southern" not in body and "Awaiting attorney review" not in body


def test_attorney_home_has_cases_awaiting_review(client, bob, world):
    body = login(client, bob).get(URL).content.decode()
    assert "Awaiting attorney review" in body and "Unreviewed Ficticia" in body


def test_director_home_has_office_totals(client, erin, world):
    body = login(client, erin).get(URL).content.decode()
    assert "North Office" in body and "South Office" in body
    assert "My open cases" not in body


def test_admin_home_has_no_case_data(client, frank, world):
    body = login(client, frank).get(URL).content.decode()
    assert "Administrators have no access to case files." in body
    assert "Mine Ficticia" not in body


def test_home_requires_login_and_get(client, alice, db):
    assert client.get(URL).status_code == 302
    assert login(client, alice).post(URL).status_code == 405


# Per role: an attorney's page adds the cases awaiting review (rows and their count).
# +2 on every list page: its audit entry (the chain head, then the insert)
@pytest.mark.parametrize("user, queries", [("alice", 10), ("bob", 11), ("erin", 10)])
def test_home_query_count(client, world, north, user, queries, request, django_assert_num_queries):
    actor = request.getfixturevalue(user)
    for _ in range(10):
        case = make_case(north, caseworker=request.getfixturevalue("alice"))
        services.deadline_add(
            actor=request.getfixturevalue("alice"), case=case, kind="hearing", due_on=TODAY
        )
    login(client, actor)
    with django_assert_num_queries(queries):
        assert client.get(URL).status_code == 200
