"""Every main page in real Chromium, as each role, at desktop and phone widths.

On every page: no Content-Security-Policy violation (the browser reports each one), no
sideways scrolling at 375 px, and (test_axe.py) no serious accessibility finding. The
phone test also checks that the case list puts its filter button and first result on the
first screen. Screenshots go to artifacts/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, slug, visit
from tests.browser.test_caseworker_flow import ARTIFACTS, sync_playwright

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed"),
]


# 320 px: WCAG 1.4.10 reflow (400 % zoom of a 1280 px screen).
@pytest.mark.parametrize("width", [1280, 375, 320])
def test_every_page_fits_and_breaks_no_csp_rule(live_server, site, chromium, width):
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    for username, paths in site["pages"].items():
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
            page.screenshot(path=ARTIFACTS / f"w{width}-{username}-{slug(path)}.png")
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
    assert page.locator("header.topbar [role=search] input[type=search]").is_visible()
    context.close()


def test_case_page_prints_the_record_without_the_controls(live_server, site, chromium):
    context, page = login(chromium, live_server.url, "alice", 1280)
    visit(page, live_server.url + site["case"])
    page.emulate_media(media="print")
    for hidden in ("header.topbar", "#add-note", "#attach", ".page-actions"):
        assert not page.locator(hidden).is_visible(), hidden
    assert page.locator(".tl-note", has_text="bond paperwork").is_visible()
    assert page.locator(".tl-event").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=ARTIFACTS / "case-print.pdf", format="Letter")
    context.close()


def test_agency_picker_hints_sit_under_the_box_not_among_the_options(live_server, site, chromium):
    context, page = login(chromium, live_server.url, "alice", 1280)
    visit(page, live_server.url + "/cases/intake/")
    page.click("text=Detention: log the arrest or booking now")
    box = page.locator("#id_event-arresting_agency_name")
    box.fill("c")
    hint = page.locator("#arresting-picker-hint")
    hint.filter(has_text="Type at least 2 letters").wait_for()
    assert hint.get_attribute("id") in box.get_attribute("aria-describedby")
    box.fill("cape")
    page.locator("#id_event-arresting_agency_name_list [role=option][data-value]").first.wait_for()
    rows = page.locator("#id_event-arresting_agency_name_list > *")
    assert rows.count() == rows.and_(page.locator("[role=option]")).count()
    hint.filter(has_text="Choose the state above").wait_for()
    context.close()
