"""Brute force against the login is stopped per account AND address, and audited."""

import pytest

from audit.models import AuditAction, AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER, OFFICE = "203.0.113.9", "198.51.100.7"


def _login(client, username, password, ip, url="/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _hammer(client, username, ip, url="/login/", times=5):
    return [_login(client, username, "wrong", ip, url).status_code for _ in range(times)]


def test_brute_force_is_stopped_but_the_owner_signs_in_from_elsewhere(client, erin, settings):
    assert _hammer(client, "erin", ATTACKER) == [200] * 4 + [429]
    locked = _login(client, "erin", PASSWORD, ATTACKER)
    assert locked.status_code == 429  # the right password no longer helps the attacker
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert _login(client, "erin", PASSWORD, OFFICE).status_code == 302  # erin is not locked out
    # every attempt is on record, the one made while locked out included
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, ip=ATTACKER).count() == 6
    assert AuditEntry.objects.filter(action=AuditAction.LOCKOUT, ip=ATTACKER).count() >= 1
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=erin, ip=OFFICE).exists()


def test_unknown_account_gets_the_same_responses(client, erin):
    known = [_login(client, "erin", "wrong", ATTACKER) for _ in range(5)]
    unknown = [_login(client, "nobody-here", "wrong", ATTACKER) for _ in range(5)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [200] * 4 + [429]
    assert "nobody-here" not in unknown[0].content.decode().replace('value="nobody-here"', "")
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.LOGIN_FAILED, target_id="unknown", summary__endswith="nobody-here"
        ).count()
        == 5
    )


def test_admin_login_is_throttled_too(client, frank):
    assert _hammer(client, "frank", ATTACKER, url="/admin/login/")[-1] == 429
    response = _login(client, "frank", PASSWORD, ATTACKER, url="/admin/login/")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
