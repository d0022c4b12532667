"""Personal API tokens: hashed at rest, named, expiring, several per user, listed and
revoked by their owner only; expired, revoked and other users' tokens are refused."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from audit.models import AuditAction, AuditEntry
from tests.conftest import api_token_key

pytestmark = pytest.mark.django_db


def _api(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_owner_makes_named_tokens_shown_once_and_stored_hashed(client, alice, settings):
    settings.API_TOKEN_DAYS = 7
    client.force_login(alice)
    page = client.post("/account/tokens/", {"name": "Nightly export"})
    key = page.context["new_key"]
    assert key in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    client.post("/account/tokens/", {"name": "Laptop"})
    tokens = ApiToken.objects.filter(user=alice)
    assert sorted(t.name for t in tokens) == ["Laptop", "Nightly export"]
    token = tokens.get(name="Nightly export")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(list(ApiToken.objects.values()))  # only the hash is kept
    expected = timezone.now() + dt.timedelta(days=7)
    assert abs((token.expires_at - expected).total_seconds()) < 60
    listing = client.get("/account/").content.decode()
    assert "Nightly export" in listing and "Laptop" in listing and key not in listing
    assert token.key_prefix in listing
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.CREATE, actor=alice, summary__startswith="API token created"
        ).count()
        == 2
    )


def test_a_token_needs_a_name_and_the_form_keeps_what_was_typed(client, alice):
    client.force_login(alice)
    response = client.post("/account/tokens/", {"name": "   "})
    assert response.status_code == 400
    assert "Name the token" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_token_use_sets_last_used_and_is_audited_once_a_day(alice):
    key = api_token_key(alice)
    api = _api(key)
    assert api.get("/api/v1/cases/").status_code == 200
    assert api.get("/api/v1/cases/").status_code == 200
    token = ApiToken.objects.get(user=alice)
    assert token.last_used_at is not None
    assert AuditEntry.objects.filter(action=AuditAction.TOKEN_USED, actor=alice).count() == 1
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - dt.timedelta(days=1))
    assert api.get("/api/v1/cases/").status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.TOKEN_USED, actor=alice).count() == 2


def test_an_expired_token_is_refused(alice):
    key = api_token_key(alice)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = _api(key).get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid or expired token."}


def test_a_revoked_token_is_refused(client, alice):
    key = api_token_key(alice)
    token = ApiToken.objects.get(user=alice)
    client.force_login(alice)
    response = client.post(f"/account/tokens/{token.public_id}/revoke/")
    assert response["Location"] == "/account/#api-tokens"
    assert _api(key).get("/api/v1/cases/").status_code == 401
    assert AuditEntry.objects.filter(summary__startswith="API token revoked").exists()


def test_nobody_revokes_or_uses_another_users_token(client, alice, bob):
    bob_key = api_token_key(bob)
    bobs = ApiToken.objects.get(user=bob)
    client.force_login(alice)
    client.post(f"/account/tokens/{bobs.public_id}/revoke/")
    assert ApiToken.objects.filter(pk=bobs.pk).exists()
    assert "test script" not in client.get("/account/").content.decode()  # bob's token name
    assert _api(bob_key).get("/api/v1/cases/").status_code == 200  # still bob's, working
    assert _api(bob_key + "x").get("/api/v1/cases/").status_code == 401
    assert _api(bobs.key_hash).get("/api/v1/cases/").status_code == 401  # a stolen hash


def test_a_deactivated_users_token_is_refused(alice):
    key = api_token_key(alice)
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    assert _api(key).get("/api/v1/cases/").status_code == 401


def test_the_schema_documents_the_token_scheme(client, alice):
    client.force_login(alice)
    schema = client.get("/api/v1/schema/?format=json").json()
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"
    assert "Authorization: Token" in schema["info"]["description"]
