"""Client page: masked A-number, audited reveal, edit with the shared rules."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from tests.cases.workflow import (
    make_case,
)
from tests.conftest import login
from tests.factories import ClientFactory


@pytest.fixture
def person(north):
    client = ClientFactory(
        given_names="Ana",
        family_names="Ruiz",
        a_number="A012345678",
        search_name="ana ruiz",
        safe_contact_notes="Only call after 6pm; do not leave messages.",
    )
    make_case(north, client=client)
    return client


def url(person, name="cases:client"):
    return reverse(name, args=[person.public_id])


def test_client_page_masks_the_a_number_and_audits_the_read(client, alice, person):
    response = login(client, alice).get(url(person))
    body = response.content.decode()
    assert response.status_code == 200
    assert "A012345678" not in body and "A•••-•••-678" in body
    assert "Only call after 6pm" in body
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.VIEW, target_id=str(person.public_id), actor=alice
        ).count()
        == 1
    )


def test_reveal_is_a_post_that_is_audited(client, alice, person):
    login(client, alice)
    assert client.get(url(person, "cases:client-reveal")).status_code == 405
    response = client.post(url(person, "cases:client-reveal"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and "A012345678" in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL, actor=alice).count() == 1
    full = client.post(url(person, "cases:client-reveal"))  # without JavaScript: whole page
    assert "<h1>Ana Ruiz</h1>" in full.content.decode()


def test_client_pages_require_login(client, person):
    for name in ("cases:client", "cases:client-edit"):
        assert client.get(url(person, name)).status_code == 302
    assert client.post(url(person, "cases:client-reveal")).status_code == 302


def test_other_office_gets_404_and_only_the_probe_is_audited(client, carol, frank, person):
    for user in (carol, frank):
        login(client, user)
        assert client.get(url(person)).status_code == 404
        assert client.post(url(person, "cases:client-reveal")).status_code == 404
        assert client.get(url(person, "cases:client-edit")).status_code == 404
    # nothing read or revealed; each try at another office's id is on record
    assert not AuditEntry.objects.exclude(
        action__in=[AuditAction.DENIED, AuditAction.LOGIN]
    ).exists()
    denied = AuditEntry.objects.filter(action=AuditAction.DENIED)
    assert denied.count() == 6
    assert set(denied.values_list("target_id", flat=True)) == {str(person.public_id)}


def test_client_page_query_count(client, alice, person, north, django_assert_num_queries):
    for _ in range(10):
        make_case(north, client=person)
    login(client, alice)
    with django_assert_num_queries(9):
        response = client.get(url(person))
    assert response.content.decode().count("/cases/") >= 11


def test_edit_keeps_the_a_number_unless_retyped_and_explains_duplicates(
    client, alice, north, person
):
    make_case(north, client=ClientFactory(a_number="A999999999"))
    login(client, alice)
    page = client.get(url(person, "cases:client-edit")).content.decode()
    assert "A012345678" not in page and "On record: A•••-•••-678" in page
    data = {"given_names": "Ana María", "family_names": "Ruiz", "a_number": ""}
    assert client.post(url(person, "cases:client-edit"), data).status_code == 302
    person.refresh_from_db()
    assert person.given_names == "Ana María" and person.a_number == "A012345678"
    response = client.post(url(person, "cases:client-edit"), {**data, "a_number": "999-999-999"})
    assert response.status_code == 400
    assert "already recorded" in response.content.decode()


def test_director_reads_but_cannot_edit(client, erin, person):
    login(client, erin)
    assert client.get(url(person)).status_code == 200
    assert client.get(url(person, "cases:client-edit")).status_code == 403
