"""Attachments: uploaded outside the web root, downloaded only through the checked view."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from cases.models import Attachment
from tests.cases.workflow import (
    make_case,
)
from tests.conftest import login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(north):
    return make_case(north)


def _upload(client, case, name="Notice to appear.pdf", content=PDF):
    return client.post(
        reverse("cases:attachment-add", args=[case.public_id]),
        {"file": SimpleUploadedFile(name, content), "description": "NTA"},
    )


def test_upload_then_download_with_safe_headers_and_an_audit_entry(client, alice, case, media):
    login(client, alice)
    assert _upload(client, case, name='Notice "to" appear; ñ.pdf').status_code == 302
    attachment = Attachment.objects.get()
    assert (media / attachment.file.name).exists()
    assert not str(media).startswith(str(settings.STATIC_ROOT))
    response = client.get(reverse("cases:attachment-download", args=[attachment.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert '"' not in response["Content-Disposition"].split("filename", 1)[1].strip('"=')[:-1]
    assert "sandbox" in response["Content-Security-Policy"]
    assert AuditEntry.objects.filter(action=AuditAction.DOWNLOAD, case_id=case.pk).count() == 1


def test_bad_files_are_refused_with_a_message(client, alice, case):
    login(client, alice)
    response = _upload(client, case, name="invoice.pdf", content=b"<script>alert(1)</script>\x00")
    assert response.status_code == 400
    assert "cannot be attached" in response.content.decode()
    assert not Attachment.objects.exists()


def test_download_of_another_offices_file_is_404_and_not_audited(client, alice, carol, case):
    login(client, alice)
    _upload(client, case)
    download = reverse("cases:attachment-download", args=[Attachment.objects.get().public_id])
    login(client, carol)
    assert client.get(download).status_code == 404
    assert _upload(client, case).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_files_require_login_and_the_right_method(client, alice, case):
    login(client, alice)
    _upload(client, case)
    download = reverse("cases:attachment-download", args=[Attachment.objects.get().public_id])
    assert client.post(download).status_code == 405
    assert client.get(reverse("cases:attachment-add", args=[case.public_id])).status_code == 405
    client.logout()
    assert client.get(download).status_code == 302


def test_download_query_count(client, alice, case, django_assert_num_queries):
    login(client, alice)
    _upload(client, case)
    download = reverse("cases:attachment-download", args=[Attachment.objects.get().public_id])
    with django_assert_num_queries(7):  # 6 + reading the audit chain's head
        assert client.get(download).status_code == 200
