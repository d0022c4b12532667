"""Upcoming deadlines across the user's cases, and marking one done."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Deadline
from tests.cases.workflow import (
    make_case,
)
from tests.conftest import login

URL = reverse("cases:deadlines")
TODAY = timezone.localdate()


def _deadline(case, actor, days, **fields):
    return services.deadline_add(
        actor=actor, case=case, kind="hearing", due_on=TODAY + dt.timedelta(days=days), **fields
    )


@pytest.fixture
def mine(north, alice):
    return make_case(north, caseworker=alice)


def test_upcoming_list_in_date_order_with_overdue_marked(
    client, alice, bob, carol, mine, north, south
):
    _deadline(mine, alice, 10, description="Master calendar")
    _deadline(mine, alice, -2, description="Missed filing")
    _deadline(make_case(north), bob, 3, description="Colleague case")
    _deadline(make_case(south), carol, 1, description="South case")
    _deadline(mine, alice, 60, description="Far away")
    body = login(client, alice).get(URL).content.decode()
    assert (
        body.index("Missed filing") < body.index("Colleague case") < body.index("Master calendar")
    )
    assert "South case" not in body and "Far away" not in body
    assert "overdue" in body
    only_mine = client.get(URL, {"mine": "1"}).content.decode()
    assert "Colleague case" not in only_mine and "Master calendar" in only_mine
    assert "Far away" in client.get(URL, {"days": "90"}).content.decode()


def test_list_requires_login_and_get(client, alice):
    assert client.get(URL).status_code == 302
    assert login(client, alice).post(URL).status_code == 405


def test_list_query_count(client, alice, mine, north, django_assert_num_queries):
    for days in range(15):
        _deadline(make_case(north), alice, days)
    login(client, alice)
    with django_assert_num_queries(8):
        response = client.get(URL)
    assert response.content.decode().count("Mark done<span") == 15


def test_mark_done_then_gone_from_the_list(client, alice, carol, mine):
    deadline = _deadline(mine, alice, 2, description="Bond hearing at Krome")
    done = reverse("cases:deadline-done", args=[deadline.public_id])
    assert login(client, carol).post(done).status_code == 404
    login(client, alice)
    assert client.get(done).status_code == 405
    response = client.post(done, {"done": "1", "next": URL})
    assert response.status_code == 302 and response["Location"] == URL
    assert Deadline.objects.get().done_at is not None
    assert "Bond hearing at Krome" not in client.get(URL).content.decode()
    response = client.post(done, {"done": "1", "next": "https://evil.example/"})
    assert response["Location"] == reverse("cases:detail", args=[mine.public_id])
