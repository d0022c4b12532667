"""The standard cast, the same in every test module:

- alice: caseworker, North office      - bob: attorney, North office
- carol: caseworker, South office      - dave: attorney, South office
- erin: director (reads all offices)   - frank: admin (no case access)
"""

import secrets
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tokens import token_create
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


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch):
    """`client.force_login(user)` stands for a whole sign-in, second factor included (the
    two-factor tests sign in through the pages instead)."""
    force_login = Client.force_login

    def force_login_with_second_factor(self, user, backend=None):
        force_login(self, user, backend)
        pass_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


def authenticator(user) -> TOTPDevice:
    """The user's confirmed authenticator app, set up if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app")


def current_code(device: TOTPDevice) -> str:
    """The code the user's phone would show now."""
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(
        device.digits
    )


def recovery_code(username) -> str:
    """A fresh one-time recovery code for a user who has set up their authenticator app, to
    pass the second step in a browser (an app's code cannot be used twice in 30 seconds)."""
    user = get_user_model().objects.get(username=username)
    authenticator(user)
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    code = secrets.token_hex(5)
    StaticToken.objects.create(device=device, token=code)
    return code


def pass_second_factor(client, user):
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()


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


def api_token_key(user, name="test script") -> str:
    """A new personal API token's key for `user`."""
    return token_create(user=user, name=name)[1]
