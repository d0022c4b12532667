"""Client data at rest: ciphertext in every row and file, lookups through blind indexes,
key rotation, and a clear refusal to run with missing or wrong keys."""

import datetime as dt
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from cases import services
from cases.models import Client, Note
from cases.selectors import client_duplicates
from caseworker.lib.crypto import DecryptionFailed, is_current, raw_tokens, require_keys
from tests.cases.workflow import make_case
from tests.conftest import login

pytestmark = pytest.mark.django_db

A_NUMBER = "A207771234"
DOB = dt.date(1984, 11, 23)
SAFE = "Call only after 6pm, never the landlord"
PRIVILEGED = "Strategy: argue unlawful detainer under 287g TFM"
LETTER = b"%PDF-1.4\n% Sworn declaration of Maria Testigo\n%%EOF\n"


def _crypto_checks():
    """The key checks as the web server and worker run them at start (deployment checks)."""
    return checks.run_checks(tags=["crypto"], include_deployment_checks=True)


def _client(actor, a_number=A_NUMBER):
    return services.client_create(
        actor=actor,
        given_names="Maria",
        family_names="Testigo",
        a_number=a_number,
        date_of_birth=DOB,
        safe_contact_notes=SAFE,
    )


def _dump() -> str:
    """Every row of every table as text: what a pg_dump of the database would hold."""
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            lines.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(lines)


def test_no_plaintext_of_protected_fields_in_any_row_or_file(alice, bob, north, media):
    client = _client(alice)
    case = make_case(north, client=client)
    services.note_add(actor=bob, case=case, body=PRIVILEGED, privileged=True)
    upload = SimpleUploadedFile("declaration.pdf", LETTER)
    attachment = services.attachment_add(actor=alice, case=case, upload=upload)
    services.saved_search_create(actor=alice, name="Her case", query=f"q={A_NUMBER}")

    dump = _dump()
    for secret in (A_NUMBER, A_NUMBER[1:], "207-771-234", DOB.isoformat(), SAFE, PRIVILEGED):
        assert secret not in dump, secret
    assert "Testigo" in dump  # names stay searchable in clear (documented)
    stored = (media / attachment.file.name).read_bytes()
    assert b"Maria" not in stored and b"%PDF" not in stored

    reread = Client.objects.get(pk=client.pk)
    assert (reread.a_number, reread.date_of_birth, reread.safe_contact_notes) == (
        A_NUMBER,
        DOB,
        SAFE,
    )
    assert Note.objects.get(case=case).body == PRIVILEGED
    with attachment.file.open("rb") as handle:
        assert handle.read() == LETTER


def test_a_number_search_and_uniqueness_go_through_the_blind_index(client, alice, north):
    case = make_case(north, client=_client(alice))
    login(client, alice)
    page = client.post("/cases/", {"q": "a207-771-234"}, follow=True).content.decode()
    assert case.number in page
    with pytest.raises(ValidationError, match="already recorded"):
        _client(alice, a_number="207 771 234")
    with pytest.raises(FieldError):
        Client.objects.filter(a_number=A_NUMBER).exists()  # never a silent no-match


def test_duplicate_check_finds_same_and_swapped_date_of_birth(alice, north):
    client = _client(alice)
    make_case(north, client=client)
    services.client_update(actor=alice, client=client, date_of_birth=dt.date(1984, 3, 7))

    def reasons(dob):
        report = client_duplicates(
            user=alice, given_names="Maria", family_names="Testigo", date_of_birth=dob
        )
        return [reason for c in report.candidates for reason in c.reasons]

    assert "same date of birth" in reasons(dt.date(1984, 3, 7))
    assert "date of birth with day and month swapped" in reasons(dt.date(1984, 7, 3))
    assert reasons(dt.date(1990, 1, 1)) == []


def test_search_by_a_number_after_rotating_both_keys(client, alice, north, media, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    case = make_case(north, client=_client(alice))
    services.note_add(actor=alice, case=case, body="Family visited")
    upload = SimpleUploadedFile("declaration.pdf", LETTER)
    attachment = services.attachment_add(actor=alice, case=case, upload=upload)

    new_key, new_blind = Fernet.generate_key().decode(), "n" * 40
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    settings.BLIND_INDEX_KEY = new_blind
    call_command("rotate_keys", "--batch-size", "1", stdout=StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone

    assert not _crypto_checks()
    for token in raw_tokens(Client.objects.all(), "a_number"):
        assert is_current(token.encode())
    login(client, alice)
    assert case.number in client.post("/cases/", {"q": A_NUMBER}, follow=True).content.decode()
    assert Note.objects.get(case=case).body == "Family visited"
    with attachment.file.open("rb") as handle:
        assert handle.read() == LETTER


def test_rotation_resumes_and_skips_rows_already_rotated(alice, settings):
    for number in ("A200000001", "A200000002", "A200000003"):
        _client(alice, a_number=number)
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        settings.FIELD_ENCRYPTION_KEYS[0],
    ]
    # An "interrupted" run: one row re-encrypted by hand under the new key.
    first = Client.objects.order_by("pk").first()
    first.save()
    out = StringIO()
    call_command("rotate_keys", "--batch-size", "2", stdout=out)
    assert "cases.Client: done, 2 of 3 rows rotated" in out.getvalue()
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    assert "cases.Client: done, 0 of 3 rows rotated" in out.getvalue()


def test_wrong_key_is_a_clear_error_not_garbage(alice, settings):
    _client(alice)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    ids = {
        problem.id for problem in checks.run_checks(tags=["crypto"], include_deployment_checks=True)
    }
    assert "crypto.E005" in ids
    with pytest.raises(DecryptionFailed, match="FIELD_ENCRYPTION_KEYS"):
        Client.objects.get(family_names="Testigo")


@pytest.mark.parametrize(
    ("keys", "blind", "expected"),
    [
        ([], "b" * 40, "crypto.E001"),
        (["not-a-key"], "b" * 40, "crypto.E002"),
        (None, "", "crypto.E003"),
        (None, "same", "crypto.E004"),
    ],
)
def test_missing_or_malformed_keys_fail_the_start_up_checks(settings, keys, blind, expected):
    good = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [good] if keys is None else keys
    settings.BLIND_INDEX_KEY = good if blind == "same" else blind
    ids = {
        problem.id for problem in checks.run_checks(tags=["crypto"], include_deployment_checks=True)
    }
    assert expected in ids

    with pytest.raises(ImproperlyConfigured, match=expected):
        require_keys()


def test_generated_report_files_are_encrypted_on_disk(alice, bob, north, media):
    from reports.models import ReportStatus
    from reports.services import report_request, report_run

    case = make_case(north, client=_client(alice))
    report = report_request(actor=bob, kind="case_chronology", params={"case": str(case.public_id)})
    report_run(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    for field in (report.pdf, report.xlsx, report.csv_zip):
        raw = (media / field.name).read_bytes()
        assert raw.startswith(b"gAAAAA") and b"%PDF" not in raw and b"PK\x03\x04" not in raw
    with report.pdf.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")
