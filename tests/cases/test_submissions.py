"""One submission, one record: a double click, a retried POST or ten identical requests at
once create one event, one client, one case (issue 18). The race needs real concurrency:
PostgreSQL, committed transactions."""

import os
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Client, DetentionEvent
from tests.cases.workflow import make_case

TODAY = timezone.localdate().isoformat()
EVENT = {
    "event_date": "2025-06-02",
    "date_precision": "exact",
    "state": "FL",
    "encounter": "traffic_stop",
    "outcome": "detained",
}
INTAKE = {
    "given_names": "Ana",
    "family_names": "Ruiz Pérez",
    "date_of_birth": "1991-02-03",
    "received_on": TODAY,
    "channel": "hotline",
    "narrative": "Stopped on Route 4.",
}
needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a real race needs PostgreSQL (SQLite serialises every write)",
)


def _at_once(user, url, data, n=10):
    """`n` browsers post the same form at the same moment; their answers."""
    answers, start = [None] * n, threading.Barrier(n)

    def post(i):
        browser = Browser()
        browser.force_login(user)
        start.wait()
        try:
            answers[i] = browser.post(url, data)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@needs_postgres
def test_ten_identical_event_submissions_make_one_event(transactional_db, north, alice):
    case = make_case(north, caseworker=alice)
    url = reverse("cases:event-new", args=[case.public_id])
    answers = _at_once(alice, url, {**EVENT, "submission": uuid.uuid4().hex})
    assert DetentionEvent.objects.filter(case=case).count() == 1
    event = DetentionEvent.objects.get(case=case)
    # every browser lands on the one event, the first with "saved", the others told why
    assert {a.status_code for a in answers} == {302}
    assert {a.url.split("?")[0] for a in answers} == {f"/cases/events/{event.public_id}/"}


@needs_postgres
def test_ten_identical_intakes_make_one_client_and_one_case(transactional_db, north, alice):
    answers = _at_once(alice, reverse("cases:intake"), {**INTAKE, "submission": uuid.uuid4().hex})
    assert Client.objects.count() == 1 and Case.objects.count() == 1
    assert {a.status_code for a in answers} == {302}
    assert len({a.url for a in answers}) == 1


def test_a_resent_event_form_shows_the_first_event(client, north, alice):
    case = make_case(north, caseworker=alice)
    client.force_login(alice)
    url = reverse("cases:event-new", args=[case.public_id])
    form = client.get(url).content.decode()
    token = form.split('name="submission" value="')[1].split('"')[0]
    first = client.post(url, {**EVENT, "submission": token})
    again = client.post(url, {**EVENT, "submission": token}, follow=True)
    assert DetentionEvent.objects.filter(case=case).count() == 1
    assert again.redirect_chain[0][0] == first.url
    assert "already saved" in again.content.decode()
    # a fresh form is a new submission
    client.post(url, {**EVENT, "submission": uuid.uuid4().hex})
    assert DetentionEvent.objects.filter(case=case).count() == 2


def test_a_refused_form_keeps_its_token_and_saves_once_corrected(client, north, alice):
    case = make_case(north, caseworker=alice)
    client.force_login(alice)
    url = reverse("cases:event-new", args=[case.public_id])
    token = uuid.uuid4().hex
    refused = client.post(url, {**EVENT, "event_date": "", "submission": token})
    assert refused.status_code == 400
    assert f'name="submission" value="{token}"' in refused.content.decode()
    assert client.post(url, {**EVENT, "submission": token}).status_code == 302
    assert DetentionEvent.objects.filter(case=case).count() == 1


def test_api_idempotency_key_replays_the_first_answer(client, north, alice):
    case = make_case(north, caseworker=alice)
    client.force_login(alice)
    body = {"case": str(case.public_id), **EVENT}
    key = {"HTTP_IDEMPOTENCY_KEY": "retry-1"}
    bad = client.post("/api/v1/events/", {**body, "event_date": ""}, "application/json", **key)
    assert bad.status_code == 400  # refused: the key stays free for the corrected request
    first = client.post("/api/v1/events/", body, "application/json", **key)
    again = client.post("/api/v1/events/", body, "application/json", **key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert DetentionEvent.objects.filter(case=case).count() == 1
    other = client.post("/api/v1/events/", body, "application/json", HTTP_IDEMPOTENCY_KEY="2")
    assert other.status_code == 201 and DetentionEvent.objects.filter(case=case).count() == 2


@needs_postgres
def test_two_people_saving_the_same_new_client_at_once_make_one_record(
    transactional_db, north, alice
):
    """Different forms (different tokens), same person without an A-number: the second to
    save is told why, and nothing is doubled."""
    answers = _at_once(alice, reverse("cases:intake"), INTAKE, n=6)
    assert Client.objects.count() == 1 and Case.objects.count() == 1
    assert sorted(a.status_code for a in answers).count(302) == 1
    for refused in (a for a in answers if a.status_code == 400):
        assert "was saved by another intake a moment ago" in refused.content.decode()


def test_a_same_name_client_shown_before_may_still_be_a_new_person(client, north, alice):
    """The user saw the look-alike and chose "new": that is a decision, not a race."""
    client.force_login(alice)
    url = reverse("cases:intake")
    assert client.post(url, INTAKE).status_code == 302
    asked = client.post(url, INTAKE)
    assert asked.status_code == 200  # the possible duplicate is shown first
    chosen = client.post(url, {**INTAKE, "duplicate_choice": "new"})
    assert chosen.status_code == 302 and Client.objects.count() == 2
