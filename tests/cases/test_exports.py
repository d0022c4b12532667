"""CSV/XLSX exports: exactly the filtered rows, streamed, formula-safe, audited."""

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditAction, AuditEntry
from cases.exports import csv_safe
from tests.api import world as fixtures
from tests.conftest import login

# Shared fixtures (a module attribute, so pytest finds them here).
world = fixtures.world


def csv_rows(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_safe_neutralises_formulas():
    assert csv_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for start in "=+-@\t\r":
        assert csv_safe(f"{start}1").startswith("'")
    assert csv_safe("Pérez") == "Pérez" and csv_safe(None) == "" and csv_safe(12) == "12"


def test_export_requires_login(client, world):
    response = client.get(reverse("cases:export", args=["csv"]))
    assert response.status_code == 302


def test_export_rejects_post_and_unknown_format(client, world, alice):
    login(client, alice)
    assert client.post(reverse("cases:export", args=["csv"])).status_code == 405
    assert client.get(reverse("cases:export", args=["pdf"])).status_code == 404


def test_case_csv_has_exactly_the_filtered_visible_rows(client, world, alice):
    response = login(client, alice).get(reverse("cases:export", args=["csv"]), {"state": "FL"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="cases-')
    rows = csv_rows(response)
    assert rows[0][:3] == ["Case number", "Status", "Office"]
    assert [r[0] for r in rows[1:]] == ["2025-000001", "2025-000002"]  # not c3 (no event), not c4
    assert rows[1][3:5] == ["Pérez", "José"]


def test_export_is_audited_with_filter_and_count(client, world, alice):
    login(client, alice).get(reverse("cases:export", args=["csv"]), {"detainer": "true"})
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor == alice and entry.target_type == "cases.Case"
    assert entry.changes == {"query": "detainer=true", "format": "csv", "rows": 1}


def test_formula_in_client_name_is_neutralised(client, world, alice):
    world.c1.client.family_names = '=HYPERLINK("http://evil","x")'
    world.c1.client.save()
    login(client, alice)
    # A name in the query is swapped for an opaque search id first (issue 17).
    rows = csv_rows(client.get(reverse("cases:export", args=["csv"]), {"q": "jose"}, follow=True))
    assert rows[1][3] == '\'=HYPERLINK("http://evil","x")'
    response = client.get(reverse("cases:export", args=["xlsx"]), {"q": "jose"}, follow=True)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = sheet.cell(row=2, column=4)
    assert cell.value == '=HYPERLINK("http://evil","x")' and cell.data_type == "s"


def test_event_xlsx(client, world, alice):
    response = login(client, alice).get(
        reverse("cases:events-export", args=["xlsx"]), {"ordering": "date"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Case number" and len(rows) == 4  # e3, e1, e2 (not South's e4)
    assert [r[0] for r in rows[1:]] == ["2025-000002", "2025-000001", "2025-000002"]
    header = rows[0]
    e1 = dict(zip(header, rows[2], strict=True))
    assert e1["Arresting agency 287(g) that day"] == "none"
    assert e1["Custody agency 287(g) that day"] == "JEM"
    assert "no Task Force agreement" in e1["Scope review reasons"]


def test_invalid_filter_exports_nothing(client, world, alice):
    response = login(client, alice).get(reverse("cases:export", args=["csv"]), {"bogus": "1"})
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_other_office_filter_in_export_is_an_error(client, world, alice, south):
    response = login(client, alice).get(
        reverse("cases:export", args=["csv"]), {"office": str(south.public_id)}
    )
    assert response.status_code == 400


def test_export_query_count_is_constant(client, world, alice, django_assert_num_queries):
    login(client, alice)
    with django_assert_num_queries(8):
        response = client.get(reverse("cases:events-export", args=["csv"]))
        rows = csv_rows(response)
    assert len(rows) == 4
