from django.db import migrations


# Existing rows hold plaintext: encrypt them, fill the blind indexes, and encrypt the
# attachment files on disk. Raw SQL, because the fields now decrypt on read.
def _files(apps, schema_editor):
    from pathlib import Path

    from django.conf import settings

    Attachment = apps.get_model("cases", "Attachment")
    names = Attachment.objects.using(schema_editor.connection.alias).values_list("file", flat=True)
    return [Path(settings.MEDIA_ROOT) / name for name in names if name]


def encrypt_existing(apps, schema_editor):
    from caseworker.lib.crypto import blind_index, encrypt_bytes, encrypt_file_in_place

    def seal(value):
        return encrypt_bytes(value.encode()).decode() if value else value

    qn = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, a_number, date_of_birth, safe_contact_notes FROM {qn('cases_client')}")
        for pk, a_number, dob, safe in cursor.fetchall():
            dob = str(dob) if dob else None
            cursor.execute(
                f"UPDATE {qn('cases_client')} SET a_number = %s, a_number_bidx = %s, "
                "date_of_birth = %s, date_of_birth_bidx = %s, safe_contact_notes = %s WHERE id = %s",
                [
                    seal(a_number),
                    blind_index(a_number, purpose="a_number") if a_number else None,
                    seal(dob),
                    blind_index(dob, purpose="date_of_birth") if dob else None,
                    seal(safe),
                    pk,
                ],
            )
        cursor.execute(f"SELECT id, body FROM {qn('cases_note')}")
        for pk, body in cursor.fetchall():
            cursor.execute(f"UPDATE {qn('cases_note')} SET body = %s WHERE id = %s", [seal(body), pk])
    for path in _files(apps, schema_editor):
        encrypt_file_in_place(path)  # idempotent: a re-run after a failure skips done files


def decrypt_existing(apps, schema_editor):
    from caseworker.lib.crypto import decrypt_bytes

    def unseal(value):
        return decrypt_bytes(value.encode()).decode() if value else value

    qn = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, a_number, date_of_birth, safe_contact_notes FROM {qn('cases_client')}")
        for pk, *values in cursor.fetchall():
            cursor.execute(
                f"UPDATE {qn('cases_client')} SET a_number = %s, date_of_birth = %s, "
                "safe_contact_notes = %s WHERE id = %s",
                [*(unseal(v) for v in values), pk],
            )
        cursor.execute(f"SELECT id, body FROM {qn('cases_note')}")
        for pk, body in cursor.fetchall():
            cursor.execute(f"UPDATE {qn('cases_note')} SET body = %s WHERE id = %s", [unseal(body), pk])
    for path in _files(apps, schema_editor):
        if path.exists():
            path.write_bytes(decrypt_bytes(path.read_bytes()))


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_encrypt_client_data_and_holds")]

    operations = [migrations.RunPython(encrypt_existing, decrypt_existing)]
