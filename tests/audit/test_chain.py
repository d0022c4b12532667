"""The audit trail is hash-chained and, on PostgreSQL, append-only in the database."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.models import AuditAction, AuditEntry
from audit.services import audit_record

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's"
)


@pytest.fixture
def entries(alice, north):
    audit_record(actor=alice, action=AuditAction.VIEW, target=north, ip="::ffff:10.0.0.1")
    audit_record(actor=alice, action=AuditAction.UPDATE, target=north, changes={"b": 1, "a": [2]})
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(actor=alice, action=AuditAction.DOWNLOAD, target_type="x", target_id=str(i))
            for i in range(3)
        ]
    )
    return list(AuditEntry.objects.order_by("id"))


def test_entries_are_chained_and_verify(entries, capsys):
    assert all(len(entry.hash) == 64 for entry in entries)
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    call_command("audit_verify")
    assert f"intact: {len(entries)} entries" in capsys.readouterr().out


def test_saving_an_existing_entry_is_refused(entries):
    entries[0].summary = "nothing happened"
    with pytest.raises(ValueError, match="append-only"):
        entries[0].save()


@postgres_only
@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditentry SET summary = 'x'", "DELETE FROM audit_auditentry"],
)
def test_database_refuses_update_and_delete(entries, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.count() == len(entries)


def _tamper(sql, params):
    """What an attacker with the table owner's rights could do."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE needs none pending
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_append_only")


def test_verify_finds_an_altered_entry(entries):
    _tamper("UPDATE audit_auditentry SET summary = %s WHERE id = %s", ["edited", entries[2].pk])
    with pytest.raises(CommandError, match=f"entry {entries[2].pk} .*altered"):
        call_command("audit_verify")


def test_verify_finds_a_removed_entry(entries):
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError, match=f"entry {entries[2].pk} .*removed"):
        call_command("audit_verify")


@postgres_only
def test_application_role_with_documented_grants_cannot_change_or_unprotect_rows(entries):
    """The production role of migration 0002's docstring: SELECT and INSERT only."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE cw_audit_app_test")  # rolled back with the test
        cursor.execute("GRANT SELECT, INSERT ON audit_auditentry TO cw_audit_app_test")
        cursor.execute("SET LOCAL ROLE cw_audit_app_test")
        for sql in (
            "UPDATE audit_auditentry SET summary = 'x'",
            "DELETE FROM audit_auditentry",
            "TRUNCATE audit_auditentry",
            "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only",
        ):
            with pytest.raises(DatabaseError), transaction.atomic():
                cursor.execute(sql)
        cursor.execute("RESET ROLE")
    assert AuditEntry.objects.count() == len(entries)
