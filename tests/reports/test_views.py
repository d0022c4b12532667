"""The reports page: request forms, history, downloads (access-checked and audited),
re-runs. Another user's report is a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from reports.models import Report, ReportStatus
from tests.conftest import login

pytestmark = pytest.mark.django_db

LIST = reverse("reports:list")


def download_url(report, fmt="pdf"):
    return reverse("reports:download", args=[report.public_id, fmt])


def test_page_shows_the_forms_each_role_may_use(client, world):
    login(client, world.erin)
    page = client.get(LIST).content.decode()
    assert 'action="/reports/request/quarterly/"' in page
    assert "agency_pattern" not in page and "case_chronology" not in page
    login(client, world.bob)
    page = client.get(LIST).content.decode()
    for kind in ("quarterly", "agency_pattern", "case_chronology"):
        assert f'action="/reports/request/{kind}/"' in page
    # bob may choose only his own office for a quarterly report
    assert 'value="north"' in page and 'value="south"' not in page
    # other pages link here with the form prefilled
    page = client.get(LIST, {"kind": "case_chronology", "case": "2025-000123"}).content.decode()
    assert 'value="2025-000123"' in page


def test_page_requires_login_and_a_reporting_role(client, world):
    response = client.get(LIST)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    login(client, world.alice)
    assert client.get(LIST).status_code == 403
    assert client.post(reverse("reports:create", args=["quarterly"]), {}).status_code == 403


def test_wrong_methods_are_rejected(client, world, make_done_report):
    report = make_done_report(world.erin)
    login(client, world.erin)
    assert client.post(LIST).status_code == 405
    assert client.get(reverse("reports:create", args=["quarterly"])).status_code == 405
    assert client.get(reverse("reports:rerun", args=[report.public_id])).status_code == 405
    assert client.post(download_url(report)).status_code == 405


def test_request_a_quarterly_report(client, world):
    login(client, world.erin)
    response = client.post(
        reverse("reports:create", args=["quarterly"]),
        {"quarterly-year": "2025", "quarterly-quarter": "2", "quarterly-fiscal": "true"},
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.params == {"year": 2025, "quarter": 2, "fiscal": True, "office": None}
    assert report.requested_by == world.erin and report.status == ReportStatus.QUEUED
    page = client.get(LIST).content.decode()
    assert "Quarterly report FY2025 Q2" in page and 'hx-trigger="every 3s"' in page


def test_errors_are_shown_next_to_the_fields(client, world):
    login(client, world.bob)
    response = client.post(
        reverse("reports:create", args=["case_chronology"]),
        {"chronology-case": "2025-999999"},
    )
    assert response.status_code == 400
    assert "No case with this number in your offices." in response.content.decode()
    response = client.post(
        reverse("reports:create", args=["quarterly"]),
        {"quarterly-year": "2099", "quarterly-quarter": "1", "quarterly-fiscal": "false"},
    )
    assert "That quarter has not started yet." in response.content.decode()
    assert not Report.objects.exists()


def test_chronology_form_cannot_reach_another_office(client, world):
    login(client, world.dave)
    response = client.post(
        reverse("reports:create", args=["case_chronology"]),
        {"chronology-case": world.shared_case.number},
    )
    assert response.status_code == 400 and not Report.objects.exists()


def test_download_is_audited(client, world, make_done_report):
    report = make_done_report(world.erin)
    login(client, world.erin)
    response = client.get(download_url(report))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    entry = AuditEntry.objects.get(action="download")
    assert entry.actor == world.erin and entry.target_id == str(report.public_id)
    assert client.get(download_url(report, "xlsx")).status_code == 200
    assert client.get(download_url(report, "csv")).status_code == 200
    assert client.get(download_url(report, "docx")).status_code == 404


def test_privileged_download_audits_each_case(client, world, make_done_report):
    cases = list(world.north.cases.filter(archived_at__isnull=True)[:3])
    report = make_done_report(world.bob, kind="agency_pattern", case_ids=[c.pk for c in cases])
    login(client, world.bob)
    assert client.get(download_url(report)).status_code == 200
    for case in cases:
        assert AuditEntry.objects.filter(action="download", case_id=case.pk).count() == 1
    assert AuditEntry.objects.filter(action="download").count() == len(cases) + 1


def test_other_users_reports_are_404(client, world, make_done_report):
    report = make_done_report(world.bob, kind="case_chronology", case_ids=[world.shared_case.pk])
    for user in (world.dave, world.erin):
        login(client, user)
        assert client.get(download_url(report)).status_code == 404
        assert client.post(reverse("reports:rerun", args=[report.public_id])).status_code == 404
        assert str(report.public_id) not in client.get(LIST).content.decode()
    # bob moved to South: his North chronology is no longer his to download
    world.north.members.remove(world.bob)
    world.south.members.add(world.bob)
    login(client, world.bob)
    assert client.get(download_url(report)).status_code == 404
    assert not AuditEntry.objects.filter(action="download").exists()


def test_rerun_creates_a_fresh_report(client, world, make_done_report):
    report = make_done_report(world.erin, params={"year": 2025, "quarter": 2})
    login(client, world.erin)
    response = client.post(reverse("reports:rerun", args=[report.public_id]))
    assert response.status_code == 302
    fresh = Report.objects.exclude(pk=report.pk).get()
    assert fresh.params["quarter"] == 2 and fresh.status == ReportStatus.QUEUED


def test_history_fragment_and_query_count(
    client, world, make_done_report, django_assert_max_num_queries
):
    for _ in range(5):
        make_done_report(world.bob, kind="quarterly", params={"year": 2025, "quarter": 2})
    login(client, world.bob)
    with django_assert_max_num_queries(12):
        page = client.get(LIST)
    assert page.content.decode().count("Run again") == 5
    with django_assert_max_num_queries(8):
        fragment = client.get(LIST, HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="report-history"')
