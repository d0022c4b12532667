"""A view that cannot reach the database answers 503, styled for pages and JSON for /api/."""

import pytest
from django.db import OperationalError
from django.urls import path


def _unreachable(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


urlpatterns = [path("page/", _unreachable), path("api/thing/", _unreachable)]

pytestmark = pytest.mark.urls(__name__)


def test_page_gets_the_unavailable_page_without_a_traceback(client):
    response = client.get("/page/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    body = response.content.decode()
    assert "System unavailable" in body and "Your typing is safe" in body
    assert "Connection refused" not in body and "Traceback" not in body


def test_api_gets_json(client):
    response = client.get("/api/thing/")
    assert response.status_code == 503
    assert response.json() == {"detail": "The system is unavailable; try again in a minute."}
