"""The audit page: directors and admins only; filters; the CSV export is itself audited."""

import pytest

from audit.models import AuditAction, AuditEntry
from audit.services import audit_record
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_only_directors_and_admins_see_the_audit_page(client, alice, bob, erin, frank):
    for user, status in ((alice, 403), (bob, 403), (erin, 200), (frank, 200)):
        client.force_login(user)
        assert client.get("/audit/").status_code == status, user


def test_filter_by_user_case_and_action_then_export(client, alice, bob, erin, north):
    case = CaseFactory(office=north, number="2025-000777")
    audit_record(actor=alice, action=AuditAction.VIEW, target=case, case_id=case.id)
    audit_record(actor=bob, action=AuditAction.VIEW, target=case, summary="bob looked")
    client.force_login(erin)
    page = client.get("/audit/", {"user": "alice", "case": "2025-000777", "action": "view"})
    assert [e.actor for e in page.context["entries"]] == [alice]
    export = client.get("/audit/", {"user": "bob", "format": "csv"})
    assert "bob looked" in export.content.decode()
    assert "alice" not in export.content.decode().split("\n", 1)[1]
    assert AuditEntry.objects.filter(actor=erin, action=AuditAction.EXPORT).count() == 1


def test_an_unknown_case_number_matches_nothing(client, alice, erin, north):
    """Not every entry without a case (the trail looks the number up without importing cases)."""
    case = CaseFactory(office=north, number="2025-000777")
    audit_record(actor=alice, action=AuditAction.VIEW, target=case, case_id=case.id)
    audit_record(actor=alice, action=AuditAction.VIEW, target=alice, summary="no case")
    client.force_login(erin)
    assert list(client.get("/audit/", {"case": "2025-999999"}).context["entries"]) == []
    found = client.get("/audit/", {"case": " 2025-000777 "}).context["entries"]
    assert [e.case_id for e in found] == [case.id]
