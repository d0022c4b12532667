"""/api/v1/reports/: request, list and read your own reports, download their files."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEntry
from reports.models import Report
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def test_request_render_and_download(api, world, media, django_capture_on_commit_callbacks):
    as_user(api, world.bob)
    body = {"kind": "case_chronology", "params": {"case": str(world.shared_case.public_id)}}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "queued"  # rendered after the commit
    detail = api.get(f"{URL}{response.json()['id']}/").json()
    assert detail["status"] == "done" and detail["page_count"] >= 1
    download = api.get(detail["files"]["pdf"])
    assert download.status_code == 200
    assert world.shared_case.number in pdf_text(b"".join(download.streaming_content))
    assert AuditEntry.objects.filter(action="download", case_id=world.shared_case.pk).exists()


def test_requires_authentication(api, world, make_done_report):
    report = make_done_report(world.erin)
    assert api.get(URL).status_code in (401, 403)
    assert api.post(URL, {"kind": "quarterly", "params": {}}, format="json").status_code in (
        401,
        403,
    )
    assert api.get(f"{URL}{report.public_id}/download/pdf/").status_code in (401, 403)


def test_access_rules(api, world):
    as_user(api, world.alice)
    body = {"kind": "quarterly", "params": {"year": 2025, "quarter": 2}}
    assert api.post(URL, body, format="json").status_code == 403
    as_user(api, world.dave)
    body = {"kind": "case_chronology", "params": {"case": str(world.shared_case.public_id)}}
    assert api.post(URL, body, format="json").status_code == 404
    as_user(api, world.erin)
    response = api.post(URL, {"kind": "quarterly", "params": {"quarter": 9}}, format="json")
    assert response.status_code == 400 and "quarter" in response.json()
    assert api.post(URL, {"kind": "weekly", "params": {}}, format="json").status_code == 400
    assert not Report.objects.exists()


def test_other_users_reports_are_hidden(api, world, make_done_report):
    mine = make_done_report(world.erin)
    theirs = make_done_report(world.bob)
    as_user(api, world.erin)
    ids = [r["id"] for r in api.get(URL).json()["results"]]
    assert ids == [str(mine.public_id)]
    assert api.get(f"{URL}{theirs.public_id}/").status_code == 404
    assert api.get(f"{URL}{theirs.public_id}/download/pdf/").status_code == 404
    assert not AuditEntry.objects.filter(action="download").exists()


def test_wrong_methods(api, world, make_done_report):
    report = make_done_report(world.erin)
    as_user(api, world.erin)
    assert api.put(f"{URL}{report.public_id}/", {}, format="json").status_code == 405
    assert api.delete(f"{URL}{report.public_id}/").status_code == 405
    assert api.post(f"{URL}{report.public_id}/download/pdf/").status_code == 405


def test_list_query_count(api, world, make_done_report, django_assert_max_num_queries):
    for _ in range(8):
        make_done_report(world.erin)
    as_user(api, world.erin)
    with django_assert_max_num_queries(3):
        response = api.get(URL)
    assert len(response.json()["results"]) == 8
    assert response.json()["results"][0]["files"]["xlsx"].endswith("/download/xlsx/")
