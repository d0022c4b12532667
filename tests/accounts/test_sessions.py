"""Session lifetime, log out everywhere, and tokens ended with the password."""

import time

import pytest
from rest_framework.test import APIClient

from accounts.middleware import SESSION_SEEN, SESSION_STARTED
from accounts.models import ApiToken
from tests.conftest import PASSWORD, api_token_key, pass_second_factor

pytestmark = pytest.mark.django_db


def _age(client, key, seconds):
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_idle_session_is_logged_out(client, alice, settings):
    client.force_login(alice)
    assert client.get("/cases/").status_code == 200
    _age(client, SESSION_SEEN, settings.SESSION_IDLE_SECONDS + 5)
    assert client.get("/cases/").status_code == 302


def test_active_session_still_ends_at_its_absolute_lifetime(client, alice, settings):
    client.force_login(alice)
    _age(client, SESSION_STARTED, settings.SESSION_MAX_SECONDS + 5)
    assert client.get("/cases/").status_code == 302


def test_log_out_everywhere_ends_other_sessions_and_tokens(client, alice):
    other = type(client)()
    other.force_login(alice)
    key = api_token_key(alice)
    client.force_login(alice)
    assert client.post("/account/logout-everywhere/").status_code == 302
    assert other.get("/cases/").status_code == 302
    assert client.get("/cases/").status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/cases/").status_code == 401


def test_password_change_revokes_tokens_and_validates(client, alice):
    api_token_key(alice)
    token = ApiToken.objects.get(user=alice)
    client.force_login(alice)
    weak = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )
    assert weak.status_code == 200 and ApiToken.objects.filter(pk=token.pk).exists()
    new = "a much longer passphrase 42"
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=alice).exists()
    assert client.get("/cases/").status_code == 200  # this session carries on


def test_deactivation_revokes_tokens(alice):
    api_token_key(alice)
    alice.is_active = False
    alice.save()
    assert not ApiToken.objects.filter(user=alice).exists()


def test_profile_lists_own_sign_ins(client, alice):
    client.post("/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    pass_second_factor(client, alice)
    page = client.get("/account/").content.decode()
    assert "10.1.2.3" in page and "Logged in" in page
