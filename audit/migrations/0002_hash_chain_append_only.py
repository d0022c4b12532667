"""Hash-chain every audit entry and make the table append-only on PostgreSQL.

The trigger refuses UPDATE and DELETE for every role, the table owner included (only
`ALTER TABLE ... DISABLE TRIGGER`, which needs ownership, gets round it). In production the
application should also not own the table; as the owner (migrations) role run:

    REVOKE ALL ON audit_auditentry FROM caseworker_app;
    GRANT SELECT, INSERT ON audit_auditentry TO caseworker_app;
    GRANT USAGE ON SEQUENCE audit_auditentry_id_seq TO caseworker_app;

so the application role can neither change rows, truncate, nor disable the trigger.
"""


import django.utils.timezone
from django.db import migrations, models


APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION audit_chain_head(lock_key bigint) RETURNS varchar AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN (SELECT hash FROM audit_auditentry ORDER BY id DESC LIMIT 1);
END;
$$ LANGUAGE plpgsql VOLATILE;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_refuse_change();
DROP FUNCTION IF EXISTS audit_chain_head(bigint);
"""


def chain_existing(apps, schema_editor):
    from audit.models import entry_digest

    AuditEntry = apps.get_model("audit", "AuditEntry")
    prev = ""
    for entry in AuditEntry.objects.order_by("id").iterator():
        entry.prev_hash = prev
        entry.hash = prev = entry_digest(entry, prev)
        entry.save(update_fields=["prev_hash", "hash"])


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='hash',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='prev_hash',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.RunPython(install_trigger, drop_trigger),
    ]
