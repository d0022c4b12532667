"""The standard cast, the same in every test module:

- alice: caseworker, North office      - bob: attorney, North office
- carol: caseworker, South office      - dave: attorney, South office
- erin: director (reads all offices)   - frank: admin (no case access)
"""

import sys

import pytest

from tests.factories import OfficeFactory, UserFactory

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Fast password hashing; plain static storage (production's hashed manifest is built by
    collectstatic, which tests don't run)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def north(db):
    return OfficeFactory(name="North Office", code="north")


@pytest.fixture
def south(db):
    return OfficeFactory(name="South Office", code="south")


@pytest.fixture
def alice(north):
    return UserFactory(username="alice", role="caseworker", offices=[north])


@pytest.fixture
def bob(north):
    return UserFactory(username="bob", role="attorney", offices=[north])


@pytest.fixture
def carol(south):
    return UserFactory(username="carol", role="caseworker", offices=[south])


@pytest.fixture
def dave(south):
    return UserFactory(username="dave", role="attorney", offices=[south])


@pytest.fixture
def erin(db):
    return UserFactory(username="erin", role="director")


@pytest.fixture
def frank(db):
    return UserFactory(username="frank", role="admin")


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def worker_log(tmp_path):
    """Where a real Celery worker (tests.workers.Worker) writes; shown when a test fails."""
    path = tmp_path / "worker.log"
    yield path
    if path.exists():
        sys.stdout.write(path.read_text()[-4000:])
