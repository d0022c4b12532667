"""Regressions from the access review: privilege per office, admin limits, audited reads."""

import datetime as dt

import pytest

from audit.models import AuditAction, AuditEntry
from cases import services
from cases.models import Note
from tests.factories import CaseFactory, DetentionEventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mia(north):
    """Legal director of a small organisation: attorney in North and director."""
    user = UserFactory(username="mia", role="attorney", offices=[north])
    user.role_grants.create(role="director")
    return user


def test_attorney_director_reads_privileged_notes_of_own_office_only(client, mia, dave, south):
    case = CaseFactory(office=south)
    services.note_add(actor=dave, case=case, body="South work product", privileged=True)
    client.force_login(mia)
    page = client.get(f"/cases/{case.public_id}/")
    assert page.status_code == 200  # directors read every office's cases
    assert "South work product" not in page.content.decode()
    api = client.get(f"/api/v1/cases/{case.public_id}/notes/").json()
    assert api["results"] == []
    response = client.post(
        "/reports/", {"kind": "case_chronology", "case": case.number}, follow=True
    )
    assert not any("South" in note.body for note in Note.objects.exclude(case=case))
    from reports.models import Report

    assert not Report.objects.filter(kind="case_chronology").exists(), response.content[:300]


def test_admin_cannot_write_case_data_in_the_admin(client, frank, north):
    CaseFactory(office=north, number="2025-777777")
    client.force_login(frank)
    assert client.get("/admin/cases/note/add/").status_code == 403
    assert "2025-777777" not in client.get("/admin/cases/note/").content.decode()
    assert client.get("/admin/cases/savedsearch/").status_code == 404


def test_admin_role_changes_are_audited(client, frank, alice):
    client.force_login(frank)
    response = client.post(
        f"/admin/accounts/user/{alice.pk}/change/",
        {
            "username": "alice",
            "first_name": "Alice",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "00:00:00",
            "role_grants-TOTAL_FORMS": "2",
            "role_grants-INITIAL_FORMS": "1",
            "role_grants-0-id": str(alice.role_grants.get().pk),
            "role_grants-0-user": str(alice.pk),
            "role_grants-0-role": "caseworker",
            "role_grants-1-user": str(alice.pk),
            "role_grants-1-role": "director",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert set(alice.role_grants.values_list("role", flat=True)) == {"caseworker", "director"}
    entry = AuditEntry.objects.get(
        actor=frank, action=AuditAction.UPDATE, summary__startswith="Role"
    )
    assert entry.summary == "Role granted: Director to alice"


def test_reading_a_detention_event_is_audited(client, alice, north):
    event = DetentionEventFactory(case=CaseFactory(office=north), event_date=dt.date(2025, 3, 1))
    client.force_login(alice)
    assert client.get(f"/cases/events/{event.public_id}/").status_code == 200
    assert AuditEntry.objects.filter(
        actor=alice, action=AuditAction.VIEW, case_id=event.case_id
    ).exists()


def test_county_filter_finds_both_spellings(bob, north):
    """An attorney typing "Lee" must not miss events recorded as "Lee County"."""
    from cases.filters import DetentionEventFilterSet
    from cases.selectors import events_visible

    for county in ("Lee", "Lee County", "lee county", "Collier"):
        DetentionEventFactory(case=CaseFactory(office=north), county=county)
    for typed in ("Lee", "Lee County", " lee  county "):
        filterset = DetentionEventFilterSet({"county": typed}, queryset=events_visible(user=bob))
        assert filterset.is_valid()
        assert filterset.qs.count() == 3, typed
