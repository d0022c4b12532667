"""Safe rendering: user text is escaped, and WeasyPrint may read only our static files.

A canary HTTP server on loopback counts every request; hostile notes and agency names
must not make the renderer read /etc/passwd, attach a file, or call the canary.
"""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from cases.models import Note
from reports.rendering import BASE_URL, StaticOnlyFetcher, static_url
from tests.reports.conftest import pdf_text, render_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def canary():
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/canary", hits
    server.shutdown()
    server.server_close()


def payload(canary_url: str) -> str:
    return (
        '<img src="file:///etc/passwd">'
        '<link rel="attachment" href="file:///etc/passwd">'
        f'<img src="{canary_url}">'
        f'<link rel="stylesheet" href="{canary_url}.css">'
    )


def assert_clean(data: bytes, hits: list) -> str:
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/EmbeddedFiles" not in root.get("/Names", {})
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            assert annot.get_object().get("/Subtype") != "/FileAttachment"
    text = pdf_text(data)
    assert "root:x:0:0" not in text and "/bin/bash" not in text
    assert hits == []
    return text


def test_hostile_note_and_agency_name_render_as_text(
    world, canary, django_capture_on_commit_callbacks
):
    url, hits = canary
    world.palm_so.name = "Palm SO " + payload(url)
    world.palm_so.save()
    Note.objects.create(case=world.shared_case, body="Client says " + payload(url))

    chronology = render_now(
        world.bob,
        "case_chronology",
        {"case": str(world.shared_case.public_id)},
        django_capture_on_commit_callbacks,
    )
    text = assert_clean(chronology.pdf.read(), hits)
    assert '<img src="file:///etc/passwd">' in text  # shown as the text it is
    agency = render_now(
        world.bob,
        "agency_pattern",
        {
            "agencies": [str(world.palm_so.public_id)],
            "date_after": "2025-01-01",
            "date_before": "2025-06-30",
        },
        django_capture_on_commit_callbacks,
    )
    assert '<link rel="attachment"' in assert_clean(agency.pdf.read(), hits)


def test_fetcher_blocks_unescaped_markup_too(canary):
    """Second wall: even raw hostile HTML cannot reach files, the network or redirects."""
    url, hits = canary
    html = (
        f'<html><head><link rel="stylesheet" href="{static_url("reports/print.css")}">'
        f"</head><body><p>hello</p>{payload(url)}"
        '<img src="/static/../../../../etc/passwd">'
        '<img src="https://report.invalid/static/reports/../../../../../etc/passwd">'
        '<object data="file:///etc/passwd"></object></body></html>'
    )
    fetcher = StaticOnlyFetcher()
    data = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
    assert_clean(data, hits)
    assert any("etc/passwd" in refused for refused in fetcher.refused)
    assert any(refused.startswith(url) for refused in fetcher.refused)
    # Our own stylesheet was served: it is the only thing fetched.
    assert static_url("reports/print.css") not in fetcher.refused


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "data:text/css,body{}",
        "https://report.invalid/static/%2e%2e/%2e%2e/settings.py",
        "https://report.invalid/static/reports/print.css?x=1",
        "https://report.invalid.evil.example/static/reports/print.css",
        "https://report.invalid/private-not-served/reports/x.pdf",
    ],
)
def test_fetcher_refuses(url):
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(url)


def test_fetcher_serves_static_file():
    response = StaticOnlyFetcher().fetch(static_url("reports/print.css"))
    assert b"@page" in response.read()
    assert response.content_type == "text/css"
