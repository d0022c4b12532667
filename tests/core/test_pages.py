import pytest
import yaml
from django.conf import settings

from tests.conftest import authenticator, current_code


@pytest.mark.django_db
def test_healthz_touches_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_rejects_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_login_then_home(client, alice):
    response = client.post("/login/", {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get("/")["Location"] == "/account/two-factor/?next=%2F"
    code = current_code(authenticator(alice))
    assert client.post("/account/two-factor/", {"code": code, "next": "/"})["Location"] == "/"
    assert client.get("/").status_code == 200


def test_compose_file_runs_the_production_shape():
    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["build"] == "."
        assert service["env_file"] == ".env"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["CELERY_BROKER_URL"].startswith("redis://")
    assert "gunicorn" in services["web"]["command"]
    assert (
        "worker" in services["worker"]["command"]
        and "-Q celery,reports" in services["worker"]["command"]
    )
    assert "beat" in services["beat"]["command"]
    assert {"pgdata", "redisdata", "private"} <= set(compose["volumes"])
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    assert "gunicorn" in dockerfile and "requirements.txt" in dockerfile
