"""Password reset by emailed link: the link goes to SITE_URL, works once, the validators
apply, earlier sessions and tokens end, and the second factor is still asked."""

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import ApiToken
from audit.models import AuditEntry
from tests.conftest import api_token_key

pytestmark = pytest.mark.django_db
NEW = "a brand new long passphrase 7"


def _ask(client, email):
    return client.post("/account/password/reset/", {"email": email})


def test_reset_by_emailed_link(client, alice, settings):
    settings.SITE_URL = "https://caseworker.example.org"
    alice.email = "alice@example.org"
    alice.save()
    key = api_token_key(alice)
    old_session = client.__class__()
    old_session.force_login(alice)
    assert "Forgot your password?" in client.get("/login/").content.decode()

    response = _ask(client, "alice@example.org")
    assert response["Location"] == "/account/password/reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.org"]
    link = re.search(r"https://caseworker\.example\.org(/account/reset/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body  # SITE_URL, not the Host header
    form_url = client.get(link.group(1))["Location"]  # Django swaps the token for a session

    weak = client.post(form_url, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200 and "too common" in weak.content.decode()
    short = client.post(form_url, {"new_password1": "Xy7!short", "new_password2": "Xy7!short"})
    assert "at least 12 characters" in short.content.decode()
    done = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == "/account/reset/done/"

    assert old_session.get("/cases/").status_code == 302  # earlier sessions ended
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/cases/").status_code == 401 and not ApiToken.objects.exists()
    assert AuditEntry.objects.filter(summary="Password reset by emailed link: alice").exists()
    # the link works once
    assert "has been used or has expired" in client.get(link.group(1), follow=True).content.decode()
    # and the new password still needs the second factor
    client.post("/login/", {"username": "alice", "password": NEW})
    assert client.get("/cases/")["Location"].startswith("/account/two-factor/")


def test_unknown_address_gets_the_same_answer_and_no_mail(client, alice):
    response = _ask(client, "nobody@example.org")
    assert response["Location"] == "/account/password/reset/sent/"
    assert mail.outbox == []
