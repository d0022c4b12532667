"""Fetching ICE's lists: a local HTTP server on 127.0.0.1 stands in for ice.gov."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from agencies import services, tasks
from agencies.importer import fetch
from agencies.models import Agreement, AgreementImport
from tests.agencies.conftest import participating_csv, pending_csv

PARTICIPATING = participating_csv(
    [
        ("FLORIDA", "Alpha Police Department", "TFM", "3/10/2025"),
        ("FLORIDA", "Beta County Sheriff's Office", "JEM", "1/5/2025"),
    ]
)
PENDING = pending_csv([("FLORIDA", "Alpha Police Department", "TFM")])
PAGE = b"""<html><body><h1>287(g)</h1>
<a href="/doclib/about/offices/ero/287g/pendingAgencies07182025pm.csv">Pending</a>
<a href="https://evil.example/participatingAgencies.xlsx">elsewhere</a>
<a href="/doclib/about/offices/ero/287g/participatingAgencies07182025pm.csv#top">Participating</a>
<a href="/about.pdf">about</a></body></html>"""


class Handler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 — http.server's naming
        Handler.hits.append(self.path)
        routes = {
            "/287g": (200, "text/html; charset=utf-8", PAGE),
            "/doclib/about/offices/ero/287g/participatingAgencies07182025pm.csv": (
                200,
                "text/csv",
                PARTICIPATING,
            ),
            "/doclib/about/offices/ero/287g/pendingAgencies07182025pm.csv": (
                200,
                "application/octet-stream",
                PENDING,
            ),
            "/big.csv": (200, "text/csv", b"x" * 300_000),
            "/broken": (503, "text/plain", b"down"),
            "/gone.xlsx": (404, "text/plain", b"no"),
        }
        if self.path == "/away":
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{self.server.server_port}/287g")
            self.end_headers()
            return
        status, content_type, body = routes.get(self.path, (404, "text/plain", b"no"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if self.path != "/big.csv":  # make the client find the size while streaming
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def ice(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ICE_287G_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.ICE_287G_ALLOW_HTTP = True
    settings.ICE_287G_MAX_BYTES = 200_000
    settings.ICE_287G_FETCH_TIMEOUT = 5
    Handler.hits = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_fetch_follows_the_page_to_both_lists_and_imports_them_dated_today(
    ice, settings, django_capture_on_commit_callbacks
):
    settings.ICE_287G_URLS = [f"{ice}/287g"]
    with django_capture_on_commit_callbacks(execute=True):
        ids = tasks.agreements_fetch.delay().get()
    runs = list(AgreementImport.objects.filter(pk__in=ids).order_by("finished_at"))
    assert [r.list_kind for r in runs] == ["participating", "pending"]
    assert {r.status for r in runs} == {"done"}
    assert {r.list_date for r in runs} == {timezone.localdate()}
    assert runs[0].source.endswith("participatingAgencies07182025pm.csv")
    assert runs[1].already_active_count == 1
    assert Agreement.objects.filter(status="active").count() == 2
    assert not any("evil" in hit or "pdf" in hit for hit in Handler.hits)

    # The next day's fetch finds the same files: recorded as no-ops, nothing changes.
    with django_capture_on_commit_callbacks(execute=True):
        again = tasks.agreements_fetch.delay().get()
    assert set(AgreementImport.objects.filter(pk__in=again).values_list("status", flat=True)) == {
        "noop"
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/away", "not an allowed host"),
        ("/big.csv", "larger than"),
        ("/gone.xlsx", "HTTP 404"),
    ],
)
def test_fetch_refuses_and_records_what_must_not_be_imported(ice, path, message):
    runs = services.agreements_fetch(urls=[f"{ice}{path}"])
    (run,) = runs
    assert run.status == "failed" and message in run.error
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_transient_errors_are_retried_then_recorded(ice, settings):
    with pytest.raises(fetch.FetchTransientError):
        services.agreements_fetch(urls=[f"{ice}/broken"], final_attempt=False)
    assert not AgreementImport.objects.exists()  # nothing written before the last attempt
    settings.ICE_287G_URLS = [f"{ice}/broken"]
    with pytest.raises(Retry):  # a retry is scheduled (with backoff), nothing is written
        tasks.agreements_fetch.apply()
    assert not AgreementImport.objects.exists()
    last = tasks.agreements_fetch.apply(retries=tasks.agreements_fetch.max_retries)
    assert last.state == "SUCCESS"
    (run,) = AgreementImport.objects.all()
    assert run.status == "failed" and "HTTP 503" in run.error


def test_policy_refuses_other_schemes_and_hosts():
    policy = fetch.Policy(allowed_hosts=frozenset({"www.ice.gov"}), max_bytes=10, timeout=1)
    for url in (
        "file:///etc/passwd",
        "ftp://www.ice.gov/x.xlsx",
        "http://www.ice.gov/x.xlsx",  # https only: a tampered list would rewrite the directory
        "https://ice.gov.evil.example/x",
    ):
        with pytest.raises(fetch.FetchError):
            policy.check(url)
    policy.check("https://www.ice.gov/doclib/about/offices/ero/287g/participatingAgencies.xlsx")
