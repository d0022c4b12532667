"""In Chromium: typing a name or A-number into the case search never puts it in the
address bar (htmx posts the form; the pushed address is an opaque search id)."""

from __future__ import annotations

import shutil

import pytest
from django.contrib.auth.models import Group

from accounts.models import Role
from cases import services
from tests.cases.workflow import make_case
from tests.conftest import PASSWORD, recovery_code
from tests.factories import OfficeFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed"),
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"{CHROMIUM} is missing"),
]


@pytest.fixture
def numbers(transactional_db):
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    north = OfficeFactory(name="North Office", code="north")
    alice = UserFactory(username="alice", role="caseworker", offices=[north])
    wanted = services.client_create(
        actor=alice, given_names="Wilfreda", family_names="Quintanilla", a_number="A208881234"
    )
    other = services.client_create(actor=alice, given_names="Otro", family_names="Nombre")
    return make_case(north, client=wanted).number, make_case(north, client=other).number


def test_typed_search_leaves_only_an_opaque_id_in_the_address(live_server, numbers):
    wanted, other = numbers
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        addresses = []
        page.on("request", lambda request: addresses.append(request.url))
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "alice")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.fill("#id_code", recovery_code("alice"))  # the second step
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/cases/")
        page.fill("#f-q", "208-881-234")
        page.press("#f-q", "Enter")
        expect(page.locator("#results")).not_to_contain_text(other)
        expect(page.locator("#results")).to_contain_text(wanted)
        assert "?s=" in page.url
        page.reload()  # the opaque address reproduces the search
        expect(page.locator("#results")).to_contain_text(wanted)
        expect(page.locator("#f-q")).to_have_value("208-881-234")
        page.fill("#f-q", "Quintanilla")
        page.click("#filters button[type=submit]")
        expect(page.locator("#results")).not_to_contain_text(other)
        browser.close()
    for address in addresses:
        assert "208-881-234" not in address and "Quintanilla" not in address
