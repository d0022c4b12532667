"""Retention anonymises old closed cases, never one under a litigation hold, and is
idempotent; every run is audited with its counts."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import QueryDict
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from cases import services
from cases.models import Attachment, Case, CaseSearch, Client, Intake, Note, RetentionRun
from cases.tasks import retention_run as retention_task
from tests.cases.workflow import make_case
from tests.conftest import login

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.localdate() - dt.timedelta(days=8 * 366)
RECENT = timezone.localdate() - dt.timedelta(days=365)


def _closed_case(actor, office, *, closed_on, family="Antigua", a_number="A300000001"):
    client = services.client_create(
        actor=actor,
        given_names="Rosa",
        family_names=family,
        a_number=a_number,
        date_of_birth=dt.date(1970, 5, 17),
        safe_contact_notes="Via her sister only",
    )
    case = make_case(office, client=client, opened_on=closed_on - dt.timedelta(days=90))
    services.note_add(actor=actor, case=case, body=f"Talked to {family}")
    Intake.objects.create(
        case=case,
        received_on=case.opened_on,
        channel="hotline",
        caller_name="Sister",
        narrative=f"{family} detained at work",
        staff=actor,
    )
    Case.objects.filter(pk=case.pk).update(status="closed", closed_on=closed_on)
    case.refresh_from_db()
    return case


def test_old_closed_case_is_anonymised_and_counts_kept(
    alice, north, media, django_capture_on_commit_callbacks
):
    case = _closed_case(alice, north, closed_on=LONG_AGO)
    upload = SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n%%EOF\n")
    attachment = services.attachment_add(actor=alice, case=case, upload=upload)
    recent = _closed_case(alice, north, closed_on=RECENT, family="Reciente", a_number="A300000002")

    with django_capture_on_commit_callbacks(execute=True):  # files go after the commit
        report = services.retention_run(actor=None)

    assert [c.number for c in report.cases] == [case.number]
    run = report.run
    assert (run.cases_anonymised, run.clients_anonymised, run.notes_cleared) == (1, 1, 1)
    assert run.attachments_removed == 1 and not list(media.rglob("*.pdf"))
    client = Client.objects.get(pk=case.client_id)
    assert client.a_number is None and client.date_of_birth is None
    assert client.safe_contact_notes == "" and "Antigua" not in client.full_name
    assert Note.objects.get(case=case).body == ""  # the note is still counted
    assert Intake.objects.get(case=case).narrative == ""
    assert Attachment.objects.get(pk=attachment.pk).original_name == "removed.bin"
    case.refresh_from_db()
    assert case.anonymised_at and case.archived_at and case.status == "closed"
    assert Client.objects.get(pk=recent.client_id).family_names == "Reciente"
    entry = AuditEntry.objects.filter(target_type="cases.RetentionRun").get()
    assert entry.action == AuditAction.ARCHIVE and "1 cases, 1 clients" in entry.summary


def test_litigation_hold_on_case_or_client_is_never_touched(alice, bob, north):
    held_case = _closed_case(alice, north, closed_on=LONG_AGO)
    held_client = _closed_case(
        alice, north, closed_on=LONG_AGO, family="Otra", a_number="A300000003"
    )
    services.legal_hold_set(actor=bob, target=held_case, reason="FOIA suit v. County")
    services.legal_hold_set(actor=bob, target=held_client.client, reason="Class action")

    run = services.retention_run(actor=None).run

    assert (run.cases_anonymised, run.held_skipped) == (0, 2)
    for case in (held_case, held_client):
        case.refresh_from_db()
        assert case.anonymised_at is None
        assert Note.objects.get(case=case).body.startswith("Talked to")
        assert Client.objects.get(pk=case.client_id).a_number is not None
    assert AuditEntry.objects.filter(summary="Litigation hold set: FOIA suit v. County").exists()

    services.legal_hold_lift(actor=bob, target=held_case)
    assert services.retention_run(actor=None).run.cases_anonymised == 1


def test_only_an_attorney_of_the_office_sets_a_hold_with_a_reason(alice, bob, dave, north):
    case = _closed_case(alice, north, closed_on=LONG_AGO)
    for user in (alice, dave):  # a caseworker; an attorney of another office
        with pytest.raises(PermissionDenied):
            services.legal_hold_set(actor=user, target=case, reason="Suit")
    with pytest.raises(ValidationError):
        services.legal_hold_set(actor=bob, target=case, reason="  ")


def test_client_with_a_newer_case_keeps_their_data(alice, north):
    old = _closed_case(alice, north, closed_on=LONG_AGO)
    make_case(north, client=old.client)  # still open

    run = services.retention_run(actor=None).run

    assert (run.cases_anonymised, run.clients_anonymised) == (1, 0)
    assert Client.objects.get(pk=old.client_id).a_number == "A300000001"


def test_retention_is_idempotent_and_the_dry_run_changes_nothing(alice, north):
    case = _closed_case(alice, north, closed_on=LONG_AGO)
    out = StringIO()
    call_command("retention_run", "--dry-run", stdout=out)
    assert f"Would anonymise case {case.number}" in out.getvalue()
    assert Client.objects.get(pk=case.client_id).a_number == "A300000001"

    expired = services.search_stash(user=alice, params=QueryDict("q=Antigua"))
    CaseSearch.objects.update(expires_at=timezone.now())

    first = retention_task()
    second = retention_task()

    assert not CaseSearch.objects.filter(token=expired["s"]).exists()

    runs = {run.pk: run for run in RetentionRun.objects.all()}
    assert runs[first].cases_anonymised == 1 and runs[second].cases_anonymised == 0
    assert [run.dry_run for run in RetentionRun.objects.order_by("pk")] == [True, False, False]
    assert AuditEntry.objects.filter(target_type="cases.RetentionRun").count() == 3


def test_removed_attachment_download_is_404_not_an_error(client, alice, north, media):
    case = _closed_case(alice, north, closed_on=LONG_AGO)
    upload = SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n%%EOF\n")
    attachment = services.attachment_add(actor=alice, case=case, upload=upload)
    services.retention_run(actor=None)
    login(client, alice)
    response = client.get(f"/cases/attachments/{attachment.public_id}/download/")
    assert response.status_code == 404


def test_attorney_sets_and_lifts_a_hold_on_the_case_page(client, alice, bob, north):
    case = _closed_case(alice, north, closed_on=LONG_AGO)
    url = f"/cases/{case.public_id}/hold/"
    login(client, alice)
    assert "Set a litigation hold" not in client.get(f"/cases/{case.public_id}/").content.decode()
    assert client.post(url, {"hold_reason": "Suit"}).status_code == 403
    login(client, bob)
    empty = client.post(url, {"hold_reason": ""})
    assert empty.status_code == 400 and "This field is required" in empty.content.decode()
    assert client.post(url, {"hold_reason": "FOIA v. County"}).status_code == 302
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "Litigation hold:" in page and "FOIA v. County" in page
    assert services.retention_run(actor=None).run.held_skipped == 1
    client.post(url, {"action": "lift"})
    case.refresh_from_db()
    assert not case.on_hold
    assert AuditEntry.objects.filter(summary__startswith="Litigation hold lifted").exists()
