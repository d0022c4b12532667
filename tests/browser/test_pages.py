"""Every main page in real Chromium, as each role, at desktop and phone widths.

On every page: no Content-Security-Policy violation (the browser reports each one), no
sideways scrolling at 375 px, and (test_axe.py) no serious accessibility finding. The
phone test also checks that the case list puts its filter button and first result on the
first screen. Screenshots go to artifacts/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from accounts.models import Role
from agencies.importer.normalize import agency_match_key
from cases.models import Deadline, Note
from tests.browser.test_caseworker_flow import ARTIFACTS, CHROMIUM, sync_playwright
from tests.conftest import PASSWORD
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    CaseFactory,
    ClientFactory,
    DetentionEventFactory,
    OfficeFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed"),
]

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
    each role's walk visits."""
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
    return {
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


def login(browser, base, username, width, height=800):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    if username != "anonymous":
        page.goto(f"{base}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
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


@pytest.mark.parametrize("width", [1280, 375])
def test_every_page_fits_and_breaks_no_csp_rule(live_server, site, chromium, width):
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    for username, paths in site.items():
        context, page = login(chromium, live_server.url, username, width)
        for path in paths:
            response = visit(page, live_server.url + path)
            csp = response.headers.get("content-security-policy", "")
            if "frame-ancestors 'none'" not in csp or "script-src 'self'" not in csp:
                problems.append(f"{username} {path}: CSP header is {csp!r}")
            if "no-store" not in response.headers.get("cache-control", ""):
                problems.append(f"{username} {path}: cacheable ({response.headers})")
            problems += [f"{username} {path}: {v}" for v in page.evaluate("window.__csp")]
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                problems.append(f"{username} {path}: {overflow}px wider than the {width}px screen")
            if width < 600:
                page.screenshot(path=ARTIFACTS / f"phone-{username}-{slug(path)}.png")
        context.close()
    assert not problems, "\n".join(problems)


def test_phone_case_list_shows_filters_button_and_first_result(live_server, chromium):
    context, page = login(chromium, live_server.url, "alice", 375, height=667)
    visit(page, live_server.url + "/cases/?case_status=new")
    button = page.locator("[data-filter-toggle]")
    first = page.locator("table.results tbody tr").first
    for element in (button, first):
        box = element.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= 667, box
    # The filters themselves are folded away until asked for; the button counts the active ones.
    assert not page.locator("#filter-panel").is_visible()
    assert button.get_attribute("aria-label") == "Filters, 1 active"
    page.screenshot(path=ARTIFACTS / "phone-case-list.png")
    button.click()
    assert page.locator("#filter-panel").is_visible()
    assert button.get_attribute("aria-expanded") == "true"
    page.screenshot(path=ARTIFACTS / "phone-case-list-filters.png")
    # The header is one compact row plus search; its links sit behind the menu button.
    nav = page.locator("nav[aria-label=Main]")
    assert not nav.is_visible()
    page.locator("[data-menu-toggle]").click()
    assert nav.is_visible()
    assert page.locator("header.topbar [role=search] input").is_visible()
    context.close()
