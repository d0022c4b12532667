"""Shared by the page walks: a site with data for every role, Chromium, and logging in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from accounts.models import Role
from agencies.importer.normalize import agency_match_key
from cases.models import Deadline, Note
from tests.browser.test_caseworker_flow import CHROMIUM, sync_playwright
from tests.conftest import PASSWORD, recovery_code
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    CaseFactory,
    ClientFactory,
    DetentionEventFactory,
    OfficeFactory,
    UserFactory,
)

# Recorded in the page before any of its own code runs: every CSP violation the browser sees.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " +
                    (e.sourceFile || "") + ":" + (e.lineNumber || ""));
});
"""


@pytest.fixture
def site(transactional_db):
    """Two offices' worth of cases (enough for a full first page), agencies with
    agreements, and one case with a note, a deadline and an event. Returns the URLs
    each role's walk visits ("pages") and the case page ("case")."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    north = OfficeFactory(name="North Office", code="north")
    UserFactory(username="alice", first_name="Alice", role="caseworker", offices=[north])
    UserFactory(username="bob", first_name="Bob", role="attorney", offices=[north])
    UserFactory(username="erin", first_name="Erin", role="director")
    UserFactory(username="frank", first_name="Frank", role="admin")
    police = AgencyFactory(
        name="Cape Coral Police Department",
        match_key=agency_match_key("Cape Coral Police Department"),
        county="Lee",
        city="Cape Coral",
    )
    AgreementFactory(agency=police, model="TFM", signed_on=dt.date(2025, 2, 20))
    sheriff = "Lee County Sheriff's Office"
    jail = AgencyFactory(name=sheriff, match_key=agency_match_key(sheriff))
    AgreementFactory(agency=jail, model="JEM", signed_on=dt.date(2025, 1, 10))
    today = dt.date.today()
    events = []
    for n in range(30):
        client = ClientFactory(
            given_names=f"Maria Fernanda {n}", family_names="Rodríguez-Santamaría de la Cruz"
        )
        case = CaseFactory(client=client, office=north, opened_on=today - dt.timedelta(days=n))
        events.append(
            DetentionEventFactory(
                case=case,
                event_date=today - dt.timedelta(days=n),
                county="Lee",
                city="Cape Coral",
                arresting_agency=police,
                custody_agency=jail,
            )
        )
    case = events[0].case
    Note.objects.create(case=case, body="Wife will bring the bond paperwork on Monday.")
    Deadline.objects.create(
        case=case, kind="bond_hearing", due_on=today + dt.timedelta(days=5), description="Krome"
    )
    case_pages = [
        "/",
        "/cases/",
        "/cases/?q=rodriguez",
        "/cases/events/",
        "/cases/patterns/",
        "/cases/scope-review/",
        "/cases/saved-searches/",
        "/cases/deadlines/",
        "/cases/to-link/",
        f"/cases/{case.public_id}/",
        f"/cases/clients/{case.client.public_id}/",
        f"/cases/events/{events[0].public_id}/",
        "/agencies/",
        f"/agencies/{police.public_id}/",
        "/agencies/imports/",
        "/notifications/",
        "/account/",
        "/api/v1/docs/",
    ]
    pages = {
        "alice": [
            "/cases/intake/",
            f"/cases/clients/{case.client.public_id}/edit/",
            f"/cases/{case.public_id}/events/new/",
            f"/cases/events/{events[0].public_id}/edit/",
            *case_pages,
        ],
        "erin": [*case_pages, "/reports/", "/audit/"],
        "frank": ["/", "/agencies/imports/upload/", "/account/", "/admin/"],
        "anonymous": ["/login/"],
    }
    return {"pages": pages, "case": f"/cases/{case.public_id}/"}


@pytest.fixture
def chromium(site):
    # Started after the data is in place (see test_caseworker_flow.browser).
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def login(browser, base, username, width, height=800, bypass_csp=False):
    # bypass_csp only to inject axe-core: the walks that check CSP never set it.
    context = browser.new_context(
        viewport={"width": width, "height": height}, bypass_csp=bypass_csp
    )
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    if username != "anonymous":
        page.goto(f"{base}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        # The second step, with a recovery code (an app's code cannot be used twice within
        # its 30 seconds; the walks sign the same user in at several widths).
        page.fill("#id_code", recovery_code(username))
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/")
    return context, page


def visit(page, url):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.status < 400, f"{url} answered {response.status}"
    return response


def slug(path):
    return path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-")[:60] or "home"
