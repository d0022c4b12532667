import pytest

from cases.models import Case
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_caseworker_sees_only_own_office(alice, north, south):
    mine, theirs = CaseFactory(office=north), CaseFactory(office=south)
    assert list(Case.objects.visible_to(alice)) == [mine]
    assert theirs not in Case.objects.visible_to(alice)


def test_director_sees_all_offices_admin_sees_none(erin, frank, north, south):
    CaseFactory(office=north), CaseFactory(office=south)
    assert Case.objects.visible_to(erin).count() == 2
    assert Case.objects.visible_to(frank).count() == 0


def test_anonymous_and_roleless_users_see_nothing(north, django_user_model):
    CaseFactory(office=north)
    roleless = django_user_model.objects.create_user("nobody")
    north.members.add(roleless)
    assert Case.objects.visible_to(roleless).count() == 0


def test_admin_site_is_for_the_admin_role_only(client, alice, erin, frank):
    for user, status in ((alice, 302), (erin, 302), (frank, 200)):
        client.force_login(user)
        assert client.get("/admin/").status_code == status
