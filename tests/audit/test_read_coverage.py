"""Every URL of the site is placed (lists, audited by their view, or no client data), and
each URL showing client data writes an audit entry: a new page fails here until it is."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEntry
from audit.reads import AUDITED_BY_VIEW, LISTS, NO_CLIENT_DATA, NO_CLIENT_DATA_NAMESPACES
from tests.api.world import build_world
from tests.conftest import api_token_key

pytestmark = pytest.mark.django_db

# Reads audited by their view, checked by their own tests (POSTs, or files made by tasks).
TESTED_ELSEWHERE = {
    "cases:client-reveal": "tests/cases/test_views_clients.py",
    "api-client-reveal-a-number": "tests/api/test_cases_api.py",
    "cases:attachment-download": "tests/cases/test_views_case.py",
    "reports:download": "tests/reports",
    "api-report-download": "tests/reports",
    "audit:list": "tests/audit/test_views.py",
}


def view_names(patterns=None, namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in NO_CLIENT_DATA_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from view_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name


@pytest.fixture
def world(north, south, alice, bob, carol, dave):
    return build_world(north=north, south=south, alice=alice, bob=bob, carol=carol, dave=dave)


def test_every_url_is_placed_once():
    names = set(view_names())
    placed = [*LISTS, *AUDITED_BY_VIEW, *NO_CLIENT_DATA]
    assert len(placed) == len(set(placed)), "a URL is in two sets of audit.reads"
    assert names - set(placed) == set(), "new URLs: place them in audit.reads"
    assert set(placed) - names == set(), "audit.reads names URLs that no longer exist"


def _list_url(name, world):
    if name == "api-case-deadlines":
        return reverse(name, kwargs={"case_id": world.c1.public_id})
    return reverse(name)


def test_every_list_writes_one_entry_with_the_ids_shown(client, world, bob, erin):
    client.force_login(bob)
    for name in LISTS:
        before = AuditEntry.objects.count()
        response = client.get(_list_url(name, world))
        assert response.status_code == 200, name
        entries = list(AuditEntry.objects.order_by("id")[before:])
        assert len(entries) == 1, name
        entry = entries[0]
        assert (entry.action, entry.actor, entry.target_id) == (AuditAction.VIEW, bob, "list")
        assert entry.changes["url"] == name and entry.changes["shown"] == len(entry.changes["ids"])
    case_list = AuditEntry.objects.get(changes__url="cases:list")
    assert str(world.c1.public_id) in case_list.changes["ids"]
    assert str(world.c4.public_id) not in case_list.changes["ids"]  # south: not shown to bob
    assert case_list.changes["matching"] == 3
    api_list = AuditEntry.objects.get(changes__url="api-client-list")
    assert str(world.c1.client.public_id) in api_list.changes["ids"]


def test_a_filtered_api_list_read_by_token_records_filter_and_ids(world, alice):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_key(alice)}")
    response = api.get("/api/v1/cases/", {"q": "Pérez"})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(changes__url="api-case-list")
    assert entry.actor == alice and entry.changes["filters"] == {"q": ["Pérez"]}
    assert entry.changes["ids"] == [item["id"] for item in response.json()["results"]]
    assert entry.changes["ids"] == [str(world.c1.public_id)]


def _detail_urls(world):
    c1, e1 = world.c1, world.e1
    return {
        "cases:detail": reverse("cases:detail", args=[c1.public_id]),
        "cases:event": reverse("cases:event", args=[e1.public_id]),
        "cases:event-edit": reverse("cases:event-edit", args=[e1.public_id]),
        "cases:client": reverse("cases:client", args=[c1.client.public_id]),
        "cases:client-edit": reverse("cases:client-edit", args=[c1.client.public_id]),
        "cases:export": reverse("cases:export", args=["csv"]),
        "cases:events-export": reverse("cases:events-export", args=["csv"]),
        "api-client-detail": f"/api/v1/clients/{c1.client.public_id}/",
        "api-case-detail": f"/api/v1/cases/{c1.public_id}/",
        "api-event-detail": f"/api/v1/events/{e1.public_id}/",
        "api-case-notes": f"/api/v1/cases/{c1.public_id}/notes/",
        "api-case-note": f"/api/v1/cases/{c1.public_id}/notes/{world.secret.public_id}/",
    }


def test_every_read_audited_by_its_view_writes_an_entry(client, world, bob):
    urls = _detail_urls(world)
    assert set(urls) | set(TESTED_ELSEWHERE) == AUDITED_BY_VIEW
    client.force_login(bob)
    for name, url in urls.items():
        before = AuditEntry.objects.filter(actor=bob).count()
        assert client.get(url).status_code == 200, name
        assert AuditEntry.objects.filter(actor=bob).count() > before, name


def test_another_offices_id_is_a_404_and_on_record(client, world, carol):
    client.force_login(carol)
    for name, url in _detail_urls(world).items():
        if "export" in name:
            continue
        assert client.get(url).status_code == 404, name
    denied = AuditEntry.objects.filter(action=AuditAction.DENIED, actor=carol)
    assert denied.count() == len(_detail_urls(world)) - 2
    assert denied.filter(target_id=str(world.c1.public_id), target_type="cases:detail").exists()
    assert not AuditEntry.objects.filter(actor=carol, action=AuditAction.VIEW).exists()


def test_who_saw_this_client_includes_the_lists_that_showed_them(client, world, bob, carol, erin):
    client.force_login(bob)
    client.get("/cases/")  # shows c1 among others
    client.get("/api/v1/clients/")
    client.force_login(carol)
    client.get("/cases/")  # south: c1 is not shown to carol
    client.force_login(erin)
    page = client.get("/audit/", {"record": str(world.c1.client.public_id)})
    users = {entry.actor.username for entry in page.context["entries"] if entry.actor}
    assert "bob" in users and "carol" not in users
    assert {e.changes.get("url") for e in page.context["entries"]} >= {
        "cases:list",
        "api-client-list",
    }


def test_the_duplicate_check_records_the_clients_it_showed(client, world, alice):
    client.force_login(alice)
    response = client.get(
        "/cases/intake/duplicates/",
        {"given_names": "Jose", "family_names": "Perez", "date_of_birth": "1990-01-01"},
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.get(changes__url="cases:intake-duplicates")
    shown = [str(found.client.public_id) for found in response.context["duplicates"].candidates]
    assert shown and entry.changes["ids"] == shown
    assert entry.changes["filters"]["family_names"] == ["Perez"]


def test_the_home_page_records_the_cases_it_listed(client, world, alice):
    client.force_login(alice)
    assert client.get("/").status_code == 200
    entry = AuditEntry.objects.get(changes__url="home")
    assert str(world.c1.public_id) in entry.changes["ids"]  # alice's open case
