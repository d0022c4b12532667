"""Hostile uploads are refused by their content, whatever their name or claimed type."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import Attachment
from tests.cases.workflow import make_case
from tests.conftest import login

pytestmark = pytest.mark.django_db

DOCX_TYPES = (
    b'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
    b'document.main+xml"/></Types>'
)


def _office(main: str, types: bytes = DOCX_TYPES, extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr(main, "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


MACRO_DOCX = _office("word/document.xml", extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})
DOCM_AS_DOCX = _office(
    "word/document.xml",
    types=DOCX_TYPES.replace(
        b"document.main+xml", b"application/vnd.ms-word.document.macroEnabled.main+xml"
    ),
)
MACRO_XLSX = _office("xl/workbook.xml", extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"})
POLYGLOT_PDF = (
    b"%PDF-1.4\n1 0 obj<<>>stream\n<html><script>fetch('/api/v1/clients/')</script>\n"
    b"endstream\n%%EOF\n"
)
SCRIPTED_PDF = b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
HTML = b"<!doctype html><p>Hello</p><script>alert(1)</script>"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("letter.docx", MACRO_DOCX, "contains macros"),
        ("letter.docx", DOCM_AS_DOCX, "contains macros"),
        ("budget.xlsx", MACRO_XLSX, "contains macros"),
        ("receipt.pdf", POLYGLOT_PDF, "web-page code or scripts"),
        ("receipt.pdf", SCRIPTED_PDF, "web-page code or scripts"),
        ("photo.svg", SVG, "SVG images"),
        ("photo.txt", SVG, "SVG images"),
        ("page.html", HTML, "Web pages"),
        ("notes.txt", b"Notes\n\n" + HTML, "Web pages"),
    ],
)
def test_hostile_upload_is_refused_with_a_clear_message(
    alice, north, media, name, content, message
):
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(
            actor=alice, case=make_case(north), upload=SimpleUploadedFile(name, content)
        )
    assert message in caught.value.message_dict["file"][0]
    assert not Attachment.objects.exists()
    assert not list(media.rglob("*.*"))


def test_page_shows_the_refusal_and_clean_office_files_still_attach(client, alice, north, media):
    case = make_case(north)
    login(client, alice)
    url = f"/cases/{case.public_id}/attachments/"
    refused = client.post(url, {"file": SimpleUploadedFile("letter.docx", MACRO_DOCX)})
    assert refused.status_code == 400
    assert "contains macros" in refused.content.decode()
    clean = _office("word/document.xml")
    ok = client.post(url, {"file": SimpleUploadedFile("letter.docx", clean)})
    assert ok.status_code == 302
    attachment = Attachment.objects.get()
    download = client.get(f"/cases/attachments/{attachment.public_id}/download/")
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == clean
