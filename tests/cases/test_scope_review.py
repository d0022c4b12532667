"""Attorneys clear scope-flagged events from the review queue; the flag itself stays."""

import datetime as dt

import pytest

from audit.models import AuditEntry
from cases import services
from tests.factories import AgencyFactory, AgreementFactory, CaseFactory

pytestmark = pytest.mark.django_db
QUEUE = "/cases/scope-review/"


@pytest.fixture
def flagged(alice, north):
    """A traffic-stop arrest by an agency with only a JEM agreement: outside its model."""
    jail = AgencyFactory(name="Example County Sheriff's Office")
    AgreementFactory(agency=jail, model="JEM", signed_on=dt.date(2025, 1, 1))
    return services.detention_log(
        actor=alice,
        case=CaseFactory(office=north),
        event_date=dt.date(2025, 3, 1),
        state="FL",
        encounter="traffic_stop",
        arresting_agency=jail,
        custody_agency=jail,
    )


def _review_url(event):
    return f"{QUEUE}{event.public_id}/reviewed/"


def test_attorney_marks_reviewed_and_it_leaves_the_queue(client, bob, flagged):
    client.force_login(bob)
    assert _review_url(flagged) in client.get(QUEUE).content.decode()
    response = client.post(_review_url(flagged))
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.scope_reviewed_by == bob and flagged.needs_scope_review
    queue = client.get(QUEUE).content.decode()
    assert _review_url(flagged) not in queue and "0</strong> flagged events awaiting" in queue
    assert "Reviewed by Bob" in client.get(QUEUE + "?reviewed=1").content.decode()
    assert AuditEntry.objects.filter(summary__startswith="Scope flags reviewed").count() == 1


def test_caseworker_cannot_review(client, alice, flagged):
    client.force_login(alice)
    client.post(_review_url(flagged))
    flagged.refresh_from_db()
    assert flagged.scope_reviewed_at is None
    assert "Mark reviewed" not in client.get(QUEUE).content.decode()


def test_other_office_attorney_gets_404(client, dave, flagged):
    client.force_login(dave)
    assert client.post(_review_url(flagged)).status_code == 404


def test_requires_login_and_post(client, bob, flagged):
    assert client.post(_review_url(flagged)).status_code == 302
    client.force_login(bob)
    assert client.get(_review_url(flagged)).status_code == 405


def test_changed_reasons_need_a_fresh_review(bob, alice, flagged):
    services.detention_scope_review(actor=bob, event=flagged)
    services.detention_update(actor=alice, event=flagged, encounter="home")
    flagged.refresh_from_db()
    assert flagged.scope_reviewed_at is None and flagged.needs_scope_review


def test_queue_query_count_is_constant(client, bob, flagged, django_assert_num_queries):
    client.force_login(bob)
    with django_assert_num_queries(9):
        client.get(QUEUE)
