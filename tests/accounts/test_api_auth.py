"""API authentication answers: 401 with a challenge for anonymous calls; per-user rates."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.conftest import api_token_key

pytestmark = pytest.mark.django_db


def test_anonymous_api_request_gets_401_with_a_challenge():
    response = APIClient().get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_api_is_throttled_per_token_user_not_globally(settings, alice, bob):
    settings.API_THROTTLE_USER = "3/minute"
    cache.clear()
    alice_api, bob_api = APIClient(), APIClient()
    alice_api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_key(alice)}")
    bob_api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_key(bob)}")
    codes = [alice_api.get("/api/v1/cases/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert bob_api.get("/api/v1/cases/").status_code == 200
    cache.clear()
