"""Nothing typed is lost: a note being typed survives a refused upload on the same page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, visit
from tests.browser.test_caseworker_flow import ARTIFACTS, sync_playwright

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed"),
]

NOTE = "Called the detention center: bond hearing moved to Thursday, bring the letters."


def test_note_survives_a_refused_upload_and_is_cleared_once_saved(live_server, site, chromium):
    context, page = login(chromium, live_server.url, "alice", 1280)
    case_url = live_server.url + site["case"]
    visit(page, case_url)
    page.fill("#id_body", NOTE)
    page.set_input_files(
        "#attach input[type=file]",
        files=[{"name": "empty.pdf", "mimeType": "application/pdf", "buffer": b""}],
    )
    page.click("#attach button[type=submit]")
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert "empty" in summary.inner_text()
    assert page.input_value("#id_body") == NOTE
    assert "Restored" in page.locator("#add-note [data-draft-status]").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "note-after-refused-upload.png", full_page=True)
    page.click("#add-note button[type=submit]")
    page.locator(".tl-note", has_text="bond hearing moved").wait_for()
    # Saved: the draft is gone, so the box is empty on the next visit.
    visit(page, case_url)
    assert page.input_value("#id_body") == ""
    context.close()
