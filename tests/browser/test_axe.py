"""axe-core (the npm package, see package.json) over every page as every role.

WCAG 2.1 A/AA rules; the app's own pages must have no serious or critical finding. The API
docs page is Swagger UI's own markup (third party) and is left out of the count.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.conftest import login, visit
from tests.browser.test_caseworker_flow import ARTIFACTS, sync_playwright

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is missing: run `npm ci`"),
]

RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " | " + n.failureSummary),
  }));
}"""


def audit(page):
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("width", [1280, 375])
def test_no_serious_accessibility_finding_on_any_page(live_server, site, chromium, width):
    findings = []
    for username, paths in site["pages"].items():
        context, page = login(chromium, live_server.url, username, width, bypass_csp=True)
        for path in paths:
            if path.startswith("/api/v1/docs/"):
                continue
            visit(page, live_server.url + path)
            for v in audit(page):
                if v["impact"] in ("serious", "critical"):
                    findings.append({"user": username, "path": path, **v})
        context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{width}.json").write_text(json.dumps(findings, indent=1))
    assert not findings, json.dumps(findings, indent=1)[:6000]
