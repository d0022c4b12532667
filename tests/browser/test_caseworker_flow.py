"""A caseworker's day in real Chromium (Debian's /usr/bin/chromium through Playwright).

Screenshots of the intake, case and event pages go to artifacts/ (gitignored) so a human
can look at them; CI keeps them as build artifacts.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from base64 import b32decode
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django_otp.oath import totp

from accounts.models import Role
from agencies.importer.normalize import agency_match_key
from agencies.models import AgencyKind
from tests.conftest import PASSWORD
from tests.factories import AgencyFactory, AgreementFactory, OfficeFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed"),
    pytest.mark.skipif(
        not shutil.which(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install chromium)"
    ),
]


@pytest.fixture
def browser(cast):
    # Started after the data is in place: while Playwright's sync API runs its event loop
    # in this thread, Django would hand ORM calls a separate connection (and refuse them
    # as async-unsafe), so the test body only drives the browser.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def cast(transactional_db):
    # Transactional tests flush the database, roles included: make sure they exist.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    north = OfficeFactory(name="North Office", code="north")
    south = OfficeFactory(name="South Office", code="south")
    alice = UserFactory(username="alice", first_name="Alice", role="caseworker", offices=[north])
    dave = UserFactory(username="dave", first_name="Dave", role="attorney", offices=[south])
    task_force = AgencyFactory(
        name="Springfield Police Department",
        match_key=agency_match_key("Springfield Police Department"),
        kind=AgencyKind.MUNICIPAL_POLICE,
        county="Sangamon",
        city="Springfield",
    )
    AgreementFactory(agency=task_force, model="TFM", signed_on=dt.date(2025, 2, 20))
    jail = AgencyFactory(
        name="Sangamon County Sheriff's Office",
        match_key=agency_match_key("Sangamon County Sheriff's Office"),
        county="Sangamon",
    )
    AgreementFactory(agency=jail, model="JEM", signed_on=dt.date(2025, 1, 10))
    return {"alice": alice, "dave": dave}


# Recovery codes each user was given when setting up their authenticator app. Later
# sign-ins use them: a code from the app cannot be used twice within its 30 seconds.
RECOVERY_CODES: dict[str, list[str]] = {}


def _second_step(page, username):
    heading = page.locator("h1")
    expect(heading).to_contain_text("second sign-in step", ignore_case=True)
    if "Set up" not in heading.inner_text():
        page.fill("#id_code", RECOVERY_CODES[username].pop())
        page.click("main button[type=submit]")
        return
    # First sign-in: set up the app (the QR code is inline SVG), keep the recovery codes.
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = b32decode(page.locator("#totp-secret").inner_text().replace(" ", ""))
    page.fill("#id_code", str(totp(secret)).zfill(6))  # what the phone shows
    page.click("main button[type=submit]")
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    RECOVERY_CODES[username] = codes.all_inner_texts()
    page.click("text=Continue")


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    _second_step(page, username)
    expect(page.locator("h1")).to_contain_text("Welcome")


def _fill_client(page, given, family, dob):
    page.fill("#id_given_names", given)
    page.fill("#id_family_names", family)
    page.fill("#id_date_of_birth", dob)
    page.locator("#id_date_of_birth").dispatch_event("change")


def _pick(page, field, typed, option_text, *, keyboard):
    box = page.locator(field)
    box.fill(typed)
    option = page.locator(f"{field}_list [role=option][data-value]", has_text=option_text)
    expect(option).to_be_visible()
    if keyboard:
        box.press("ArrowDown")
        box.press("Enter")
    else:
        option.click()


def test_caseworker_flow(live_server, cast, browser):
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, base, "alice")

    # 1. Intake of a new client, first detention logged in the same flow.
    page.goto(f"{base}/cases/intake/")
    _fill_client(page, "José", "García López", "1990-04-12")
    page.fill("#id_caller_name", "Marta")
    page.fill("#id_caller_relation", "wife")
    page.fill("#id_narrative", "Stopped for a broken tail light on Route 4; taken to county jail.")
    page.click("text=Detention: log the arrest or booking now")
    page.fill("#id_event-event_date", "2025-06-02")
    page.locator("#id_event-event_date").dispatch_event("change")
    page.select_option("#id_event-state", "FL")
    page.select_option("#id_event-encounter", "traffic_stop")
    _pick(page, "#id_event-arresting_agency_name", "springfield", "Springfield", keyboard=True)
    arresting = page.locator("#id_event-arresting_agency_name_standing")
    expect(arresting.locator(".badge-TFM")).to_be_visible()
    _pick(page, "#id_event-custody_agency_name", "sangamon sheriff", "Sangamon", keyboard=False)
    expect(page.locator("#id_event-custody_agency_name_standing .badge-JEM")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "intake.png", full_page=True)
    page.click("text=Save intake")

    expect(page.locator("h1")).to_contain_text("José García López")
    case_url = page.url.split("?")[0]
    event_item = page.locator(".tl-event")
    expect(event_item.locator(".badge-TFM")).to_be_visible()
    expect(event_item.locator(".badge-JEM")).to_be_visible()

    # 2. Notes and deadlines from the case page.
    page.fill("#id_body", "Wife will bring the bond paperwork on Monday.")
    page.click("text=Add note")
    expect(page.locator(".tl-note")).to_contain_text("bond paperwork")
    due = (dt.date.today() + dt.timedelta(days=9)).isoformat()
    page.select_option("#id_kind", "bond_hearing")
    page.fill("#id_due_on", due)
    page.fill("#id_description", "Krome, Judge Doe")
    page.click("text=Add deadline")
    expect(page.locator(".tl-deadline")).to_contain_text("Bond hearing")
    page.screenshot(path=ARTIFACTS / "case.png", full_page=True)

    page.locator(".tl-event h3 a").click()
    expect(page.locator("table.snapshot .badge-TFM")).to_be_visible()
    expect(page.locator("table.snapshot .badge-JEM")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "event.png", full_page=True)

    # 3. A second intake for the same person, spelled differently, is warned of.
    page.goto(f"{base}/cases/intake/")
    _fill_client(page, "Jose", "Garcia-Lopez", "1990-04-12")
    panel = page.locator("[data-duplicates]")
    expect(panel).to_contain_text("may already be a client")
    expect(panel).to_contain_text("José García López")
    page.screenshot(path=ARTIFACTS / "intake-duplicate.png", full_page=True)

    # 4. The session expires mid-call: saving sends the caseworker to log in again, then
    # back to the intake page with everything they typed restored from the draft.
    page.fill("#id_narrative", "Second call from the same family.")
    context.clear_cookies(name="sessionid")  # the session is gone; the CSRF cookie stays
    page.click("text=Save intake")
    expect(page).to_have_url(f"{base}/login/?next=/cases/intake/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    _second_step(page, "alice")
    expect(page).to_have_url(f"{base}/cases/intake/")
    expect(page.locator("#id_family_names")).to_have_value("Garcia-Lopez")
    expect(page.locator("#id_narrative")).to_have_value("Second call from the same family.")
    expect(page.locator("[data-draft-status]")).to_contain_text("Restored")

    # 5. Phone width: the pages of the day need no sideways scrolling.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, storage_state=None)
    phone_page = phone.new_page()
    _login(phone_page, base, "alice")
    for url in (case_url, f"{base}/cases/intake/", f"{base}/cases/deadlines/", f"{base}/"):
        phone_page.goto(url)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width}px wide on a phone"
    phone_page.goto(case_url)
    phone_page.screenshot(path=ARTIFACTS / "case-phone.png", full_page=True)
    phone.close()

    # 6. An attorney of another office cannot open the case.
    other = browser.new_context()
    other_page = other.new_page()
    _login(other_page, base, "dave")
    response = other_page.goto(case_url)
    assert response.status == 404
    other.close()
    context.close()
    assert os.path.exists(ARTIFACTS / "case.png")
