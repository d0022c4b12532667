"""Two-factor sign-in: a password alone reaches nothing; setting up, codes, recovery
codes, throttling, the admin reset and the demo switch."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken
from audit.models import AuditAction, AuditEntry
from tests.conftest import PASSWORD, api_token_key, authenticator, current_code

pytestmark = pytest.mark.django_db

STEP = "/account/two-factor/"
SAMPLE = {"int": "1", "uuid": str(uuid.uuid4()), "slug": "x", "str": "x", "path": "x"}


def sample_paths(patterns=None, prefix=""):
    """One concrete path per URL pattern of the site, path parameters filled with samples."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern)
        if route.startswith("^"):  # a regex: the API's catch-all 404 or the admin's
            route = re.sub(r"\(\?P<\w+>[^)]*\)", "x", route).strip("^$").replace("\\", "")
            route = re.sub(r"\[[^\]]*\][*+]?", "", route)
        route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)
        if isinstance(entry, URLResolver):
            yield from sample_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route


def _sign_in_with_password(client, username="alice"):
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_a_password_alone_reaches_nothing(client, alice, frank):
    _sign_in_with_password(client)
    paths = sorted(set(sample_paths()) - {STEP, "/logout/", "/login/", "/healthz"})
    assert len(paths) > 40
    for path in paths:
        response = client.get(path)
        if path.startswith("/api/"):
            assert response.status_code == 401, path
            assert response["WWW-Authenticate"] == "Token"
        else:
            assert response.status_code == 302, path
            assert response["Location"].startswith(f"{STEP}?next="), path
    # nor can it make an API token, post a form or use the admin
    assert client.post("/account/tokens/", {"name": "x"})["Location"].startswith(STEP)
    assert not ApiToken.objects.exists()
    assert client.post("/cases/intake/", {})["Location"].startswith(STEP)
    client.logout()
    _sign_in_with_password(client, "frank")
    assert client.get("/admin/accounts/user/")["Location"].startswith(STEP)


def test_first_sign_in_sets_up_the_authenticator_and_gives_recovery_codes(client, alice):
    _sign_in_with_password(client)
    page = client.get(f"{STEP}?next=/cases/")
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "<svg" in html and "<img" not in html  # inline QR code
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert client.get(STEP).context["secret"] == page.context["secret"]  # same secret on reload

    wrong = client.post(STEP, {"code": "000000", "next": "/cases/"})
    assert "not right" in wrong.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_FAILED, actor=alice).exists()
    assert client.get("/cases/").status_code == 302

    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # the wrong code's one-second wait is over
    device.save()
    codes_page = client.post(STEP, {"code": current_code(device), "next": "/cases/"})
    codes = codes_page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in codes_page.content.decode() for code in codes)
    assert 'href="/cases/"' in codes_page.content.decode()
    assert client.get("/cases/").status_code == 200
    assert TOTPDevice.objects.get(user=alice).confirmed
    assert AuditEntry.objects.filter(
        action=AuditAction.TWO_FACTOR, actor=alice, summary__startswith="Two-factor set up"
    ).exists()


def test_returning_user_gives_a_code_from_the_app(client, alice):
    device = authenticator(alice)
    _sign_in_with_password(client)
    session_before = client.session.session_key
    page = client.get(STEP)
    assert "<svg" not in page.content.decode()  # no new QR code for a set-up user
    response = client.post(STEP, {"code": current_code(device), "next": "/cases/"})
    assert response["Location"] == "/cases/"
    assert client.session.session_key != session_before  # a new session key once verified
    assert client.get("/cases/").status_code == 200
    # the same code cannot be replayed in another session
    other = client.__class__()
    _sign_in_with_password(other)
    assert "not right" in other.post(STEP, {"code": current_code(device)}).content.decode()


def test_wrong_codes_are_throttled(client, alice):
    device = authenticator(alice)
    _sign_in_with_password(client)
    client.post(STEP, {"code": "123456"})
    response = client.post(STEP, {"code": current_code(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/cases/").status_code == 302


def test_a_recovery_code_works_once(client, alice):
    authenticator(alice)
    device = StaticDevice.objects.create(user=alice, name="Recovery codes")
    device.token_set.create(token="abcde12345")
    _sign_in_with_password(client)
    assert client.post(STEP, {"code": "ABCDE 12345", "next": "/"})["Location"] == "/"
    assert AuditEntry.objects.filter(summary__contains="recovery code (0 left)").exists()
    client.logout()
    _sign_in_with_password(client)
    assert "not right" in client.post(STEP, {"code": "abcde12345"}).content.decode()


def test_new_recovery_codes_replace_the_old(client, alice):
    client.force_login(alice)
    first = client.post("/account/recovery-codes/").context["codes"]
    second = client.post("/account/recovery-codes/").context["codes"]
    assert not set(first) & set(second)
    assert set(StaticDevice.objects.get(user=alice).token_set.values_list("token", flat=True)) == (
        set(second)
    )
    assert "10" in client.get("/account/").content.decode()


def test_next_must_stay_on_this_site(client, alice):
    device = authenticator(alice)
    _sign_in_with_password(client)
    response = client.post(STEP, {"code": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_admin_reset_is_audited_and_ends_the_users_sessions(client, alice, frank):
    authenticator(alice)
    alice_client = client.__class__()
    alice_client.force_login(alice)
    api_token_key(alice)
    client.force_login(frank)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [alice.pk, frank.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Alice: second factor reset" in page
    assert "Nobody may reset their own second factor" in page
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert TOTPDevice.objects.filter(user=frank).exists()
    assert not ApiToken.objects.filter(user=alice).exists()
    assert alice_client.get("/cases/")["Location"].startswith("/login/")
    entry = AuditEntry.objects.get(action=AuditAction.TWO_FACTOR, actor=frank)
    assert entry.target_id == str(alice.public_id) and entry.ip


def test_caseworker_cannot_reset_anyones_second_factor(client, alice, bob):
    authenticator(bob)
    client.force_login(alice)
    reset = {"action": "reset_two_factor", "_selected_action": [bob.pk]}
    client.post("/admin/accounts/user/", reset)
    assert TOTPDevice.objects.filter(user=bob).exists()


def test_device_admins_are_not_offered(client, frank):
    client.force_login(frank)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_demo_without_second_factor_says_so_on_every_page(client, alice, settings):
    assert 'id="two-factor-off"' not in client.get("/login/").content.decode()
    settings.TWO_FACTOR_REQUIRED = False
    _sign_in_with_password(client)
    for path in ("/", "/cases/", "/account/"):
        response = client.get(path)
        assert response.status_code == 200
        assert 'id="two-factor-off"' in response.content.decode()
