"""Security headers on pages, API responses and downloads; `check --deploy` clean in production.

The browser walk (tests/browser/test_pages.py) proves Chromium reports no CSP violation;
these tests pin the headers themselves and run without a browser.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import CaseFactory, DetentionEventFactory

pytestmark = pytest.mark.django_db

# The production environment the README documents (behind an HTTPS reverse proxy).
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "",  # filled per run
    "ALLOWED_HOSTS": "caseworker.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://caseworker.example.org",
    "SECURE_PROXY_SSL": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def _production(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DJANGO_"))}
    env.update(PRODUCTION_ENV, SECRET_KEY=secrets.token_urlsafe(50), **extra)
    return env


def test_check_deploy_is_clean_with_the_documented_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(settings.BASE_DIR),
        env=_production(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_hsts_is_on_by_default_behind_https_and_off_for_plain_http():
    code = "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)"
    root = Path(settings.BASE_DIR)
    run = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    https = _production(DJANGO_SETTINGS_MODULE="caseworker.settings", SECURE_SSL_REDIRECT="false")
    out = subprocess.run(run, cwd=root, env=https, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "31536000", out.stderr
    plain = {**https, "SECURE_PROXY_SSL": "false"}
    out = subprocess.run(run, cwd=root, env=plain, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "0", out.stderr


def _assert_strict(response):
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_api_and_downloads_with_client_data_are_never_cached(client, alice, north):
    case = CaseFactory(office=north, client__given_names="Ana")
    event = DetentionEventFactory(case=case)
    client.force_login(alice)
    for url in (
        "/",
        "/cases/",
        f"/cases/{case.public_id}/",
        f"/cases/events/{event.public_id}/",
        "/cases/export/csv/",
        "/cases/export/xlsx/",
        "/api/v1/cases/",
        f"/api/v1/cases/{case.public_id}/",
        "/api/v1/no-such-endpoint/",
        "/cases/00000000-0000-0000-0000-000000000000/",
    ):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        _assert_strict(response)


def test_login_and_error_pages_carry_the_headers_too(client):
    _assert_strict(client.get("/login/"))
    _assert_strict(client.get("/no-such-page/"))


def test_pages_have_no_inline_script_or_style(client, alice, north):
    case = CaseFactory(office=north)
    client.force_login(alice)
    for url in ("/", "/cases/", "/cases/intake/", f"/cases/{case.public_id}/", "/api/v1/docs/"):
        html = client.get(url).content.decode()
        assert "<style" not in html, url
        assert " style=" not in html, url
        assert " onclick=" not in html and " onsubmit=" not in html, url
        for tag in html.split("<script")[1:]:
            assert tag.split(">", 1)[0].strip().startswith("src="), (url, tag[:80])
