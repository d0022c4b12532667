"""Roles are fixed codes: groups grant nothing, grants are limited and audited."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from accounts import services
from accounts.access import access_for
from accounts.models import Role
from audit.models import AuditAction, AuditEntry
from cases import services as case_services
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fresh(user):
    """The same user without the per-request Access cache."""
    return type(user).objects.get(pk=user.pk)


def test_renamed_or_joined_group_grants_nothing(client, alice, bob, north):
    case = CaseFactory(office=north)
    case_services.note_add(actor=bob, case=case, body="Work product", privileged=True)
    # The attack of issue 11: rename the caseworkers' group to "attorney"; add alice to groups
    # named after every role.
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        alice.groups.add(group)
    Group.objects.filter(name="caseworker").update(name="attorney-renamed")
    alice = _fresh(alice)
    assert access_for(alice).roles == {"caseworker"}
    assert not access_for(alice).reads_privileged
    client.force_login(alice)
    assert "Work product" not in client.get(f"/cases/{case.public_id}/").content.decode()
    assert client.get("/admin/").status_code == 302


def test_user_without_grant_has_no_role_even_in_a_role_named_group(north):
    user = UserFactory(username="grace", offices=[north])
    user.groups.add(Group.objects.get_or_create(name="director")[0])
    assert access_for(_fresh(user)).roles == frozenset()


def test_nobody_grants_themselves_a_role(frank, erin):
    for actor, role in ((frank, Role.ATTORNEY), (frank, Role.DIRECTOR), (erin, Role.ATTORNEY)):
        with pytest.raises(PermissionDenied):
            services.role_grant(actor=actor, user=actor, role=role)
    assert access_for(_fresh(frank)).roles == {"admin"}
    assert access_for(_fresh(erin)).roles == {"director"}


def test_only_a_director_or_superuser_grants_attorney(frank, erin, alice, django_user_model):
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=frank, user=alice, role=Role.ATTORNEY)
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=alice, user=frank, role=Role.CASEWORKER)
    services.role_grant(actor=erin, user=alice, role=Role.ATTORNEY)
    assert access_for(_fresh(alice)).reads_privileged
    root = django_user_model.objects.create_superuser("root", password="x" * 20)
    services.role_revoke(actor=root, user=alice, role=Role.ATTORNEY)
    assert not access_for(_fresh(alice)).reads_privileged
    summaries = list(
        AuditEntry.objects.filter(action=AuditAction.UPDATE, target_id=str(alice.public_id))
        .order_by("id")
        .values_list("actor__username", "summary")
    )
    assert summaries == [
        ("erin", "Role granted: Attorney to alice"),
        ("root", "Role removed: Attorney from alice"),
    ]


def _user_form(user, *grants, initial=()):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "00:00:00",
        "role_grants-TOTAL_FORMS": str(len(initial) + len(grants)),
        "role_grants-INITIAL_FORMS": str(len(initial)),
    }
    for i, grant in enumerate(initial):
        data |= {
            f"role_grants-{i}-id": str(grant.pk),
            f"role_grants-{i}-user": str(user.pk),
            f"role_grants-{i}-role": grant.role,
        }
    for i, role in enumerate(grants, start=len(initial)):
        data |= {f"role_grants-{i}-user": str(user.pk), f"role_grants-{i}-role": role}
    return data


def test_admin_cannot_raise_its_own_role_or_grant_attorney_in_the_admin(client, frank, alice):
    client.force_login(frank)
    own = client.post(
        f"/admin/accounts/user/{frank.pk}/change/",
        _user_form(frank, "attorney", initial=frank.role_grants.all()),
    )
    assert own.status_code == 200
    assert "Nobody may change their own roles" in own.content.decode()
    other = client.post(
        f"/admin/accounts/user/{alice.pk}/change/",
        _user_form(alice, "attorney", initial=alice.role_grants.all()),
    )
    assert "Only a director grants or removes the attorney role" in other.content.decode()
    assert set(_fresh(frank).role_grants.values_list("role", flat=True)) == {"admin"}
    assert set(_fresh(alice).role_grants.values_list("role", flat=True)) == {"caseworker"}


def test_admin_form_offers_no_groups_permissions_or_superuser(client, frank, alice):
    client.force_login(frank)
    page = client.get(f"/admin/accounts/user/{alice.pk}/change/").content.decode()
    for field in ('name="groups"', 'name="user_permissions"', 'name="is_superuser"'):
        assert field not in page
    assert client.get("/admin/auth/group/").status_code == 404


def test_admin_cannot_reach_privileged_notes_through_the_admin(client, frank, bob, north):
    case = CaseFactory(office=north)
    note = case_services.note_add(actor=bob, case=case, body="Secret strategy", privileged=True)
    client.force_login(frank)
    for url in (
        "/admin/cases/note/",
        f"/admin/cases/note/{note.pk}/change/",
        f"/admin/cases/case/{case.pk}/change/",
        "/admin/cases/note/?q=Secret",
        "/admin/cases/note/?privileged__exact=1",
    ):
        assert "Secret strategy" not in client.get(url).content.decode(), url


def test_office_membership_changes_are_limited_and_audited(client, frank, alice, north, south):
    client.force_login(frank)
    form = {"name": south.name, "code": south.code, "members": [alice.pk]}
    assert client.post(f"/admin/accounts/office/{south.pk}/change/", form).status_code == 302
    assert set(south.members.all()) == {alice}
    assert AuditEntry.objects.filter(
        actor=frank, summary="Office membership added: alice to south"
    ).exists()
    own = client.post(
        f"/admin/accounts/office/{north.pk}/change/",
        {"name": north.name, "code": north.code, "members": [alice.pk, frank.pk]},
    )
    assert own.status_code == 200
    assert frank not in north.members.all()
