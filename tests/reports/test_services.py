"""Requesting and running reports: access, validation, the task's compare-and-set,
failures with a reason, notifications, and the companion files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEntry
from reports.exports import tables_csv_zip, tables_xlsx
from reports.figures.base import Cell, Table
from reports.models import Report, ReportStatus
from reports.params import Quarter
from reports.services import report_request, report_run
from reports.tasks import report_render

pytestmark = pytest.mark.django_db

Q2 = {"year": 2025, "quarter": 2}


def chronology(case):
    return {"case": str(case.public_id)}


# Access --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["quarterly", "agency_pattern", "case_chronology"])
def test_caseworkers_and_admins_cannot_request_any_report(world, frank, kind):
    params = {"quarterly": Q2, "agency_pattern": {}, "case_chronology": {}}[kind]
    for user in (world.alice, frank):
        with pytest.raises(PermissionDenied):
            report_request(actor=user, kind=kind, params=params)
    assert not Report.objects.exists()


def test_directors_request_quarterly_but_not_privileged_reports(world):
    report = report_request(actor=world.erin, kind="quarterly", params=Q2)
    assert report.status == ReportStatus.QUEUED
    assert report.params == {"year": 2025, "quarter": 2, "fiscal": False, "office": None}
    assert report.title == "Quarterly report Q2 2025 — all offices"
    with pytest.raises(PermissionDenied):
        report_request(
            actor=world.erin, kind="case_chronology", params=chronology(world.shared_case)
        )


def test_attorney_cannot_get_another_offices_case_chronology(world):
    with pytest.raises(Http404):
        report_request(
            actor=world.dave, kind="case_chronology", params=chronology(world.shared_case)
        )
    with pytest.raises(Http404):
        report_request(actor=world.dave, kind="case_chronology", params={"case": "not-a-uuid"})
    report = report_request(
        actor=world.bob, kind="case_chronology", params=chronology(world.shared_case)
    )
    entry = AuditEntry.objects.get(target_id=str(report.public_id), action="create")
    assert entry.case_id == world.shared_case.pk


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": 2025, "quarter": 5}, "quarter"),
        ({"year": "twenty", "quarter": 1}, "year"),
        ({"year": 2099, "quarter": 1}, "quarter"),  # not started yet
        ({"year": 2025, "quarter": 2, "office": "south"}, "office"),  # not bob's office
    ],
)
def test_quarterly_params_are_validated(world, params, field):
    with pytest.raises(ValidationError) as info:
        report_request(actor=world.bob, kind="quarterly", params=params)
    assert field in info.value.message_dict


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_after": "2025-01-01", "date_before": "2025-06-30"}, "agencies"),
        (
            {
                "agencies": ["00000000-0000-0000-0000-000000000000"],
                "date_after": "2025-01-01",
                "date_before": "2025-06-30",
            },
            "agencies",
        ),
        ({"agencies": "PALM", "date_after": "2025-06-30", "date_before": "2025-01-01"}, "agencies"),
        ({"date_after": "2025-06-30", "date_before": "2025-01-01"}, "date_before"),
        ({"date_after": "yesterday", "date_before": "2025-01-01"}, "date_after"),
    ],
)
def test_agency_params_are_validated(world, params, field):
    with pytest.raises(ValidationError) as info:
        report_request(actor=world.bob, kind="agency_pattern", params=params)
    assert field in info.value.message_dict


def test_fiscal_quarters():
    q1 = Quarter(2025, 1, fiscal=True)
    assert (q1.start, q1.end) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert q1.previous == Quarter(2024, 4, fiscal=True)
    assert (q1.previous.start, q1.previous.end) == (dt.date(2024, 7, 1), dt.date(2024, 9, 30))
    assert Quarter(2025, 2, fiscal=True).start == dt.date(2025, 1, 1)
    assert Quarter(2025, 4).end == dt.date(2025, 12, 31)
    assert "FY2025 Q1 (Oct–Dec 2024)" == q1.label


# The task -------------------------------------------------------------------------


def test_task_runs_once_and_notifies(world, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = report_request(actor=world.erin, kind="quarterly", params=Q2)
    assert len(callbacks) == 1  # enqueued only after the commit
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.attempts == 1
    assert len(report.checksum) == 64 and report.page_count >= 3
    finished = report.finished_at
    report_render.delay(report.pk)  # a redelivered message changes nothing
    report.refresh_from_db()
    assert report.attempts == 1 and report.finished_at == finished
    note = world.erin.notifications.get()
    assert "Report ready" in note.message and str(report.public_id) in note.url


def test_stale_running_report_is_reclaimed(world, media, settings):
    params = chronology(world.shared_case)
    report = report_request(actor=world.bob, kind="case_chronology", params=params)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING, started_at=timezone.now()
    )
    report_run(report_id=report.pk)  # someone else is rendering it: leave it alone
    assert Report.objects.get(pk=report.pk).status == ReportStatus.RUNNING
    long_ago = timezone.now() - dt.timedelta(seconds=settings.REPORT_TIME_LIMIT + 120)
    Report.objects.filter(pk=report.pk).update(started_at=long_ago)
    report_run(report_id=report.pk)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DONE


def test_failure_leaves_a_reason_and_notifies(world, media):
    report = report_request(
        actor=world.bob, kind="case_chronology", params=chronology(world.shared_case)
    )
    world.bob.role_grants.filter(role="attorney").delete()
    report_run(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error == "You no longer have access to this kind of report."
    assert not report.pdf
    assert "Report failed" in world.bob.notifications.get().message


def test_internal_error_is_logged_with_a_reference(world, media, monkeypatch, caplog):
    def boom(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("reports.services.report_content", boom)
    report = report_request(actor=world.erin, kind="quarterly", params=Q2)
    report_run(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "internal error" in report.error and "secret" not in report.error
    assert "secret internals" in caplog.text


# Companion files -------------------------------------------------------------------


def test_companions_hold_every_table_and_neutralise_formulas():
    table = Table("agencies", "Agencies", ["Agency", "Events"])
    table.add(Cell('=HYPERLINK("http://evil")'), Cell("12", 12, "http://x/cases/events/?a=1"))
    other = Table("states", "States", ["State", "Events"])
    other.add(Cell("FL"), Cell("<5", None))
    with zipfile.ZipFile(io.BytesIO(tables_csv_zip([table, other]))) as archive:
        assert archive.namelist() == ["01-agencies.csv", "02-states.csv"]
        rows = list(csv.reader(io.StringIO(archive.read("01-agencies.csv").decode("utf-8-sig"))))
    assert rows[0] == ["Agency", "Events", "Events: case list link"]
    assert rows[1] == ['\'=HYPERLINK("http://evil")', "12", "http://x/cases/events/?a=1"]
    workbook = load_workbook(io.BytesIO(tables_xlsx([table, other], title="T")))
    assert workbook.sheetnames == ["01-agencies", "02-states"]
    values = [[c.value for c in row] for row in workbook["01-agencies"].iter_rows()]
    assert values[2] == ['\'=HYPERLINK("http://evil")', 12, "http://x/cases/events/?a=1"]
    assert [c.value for c in next(workbook["02-states"].iter_rows(min_row=3))] == ["FL", "<5"]


def test_task_has_its_own_queue_and_a_time_limit(settings):
    from caseworker.celery import app

    route = app.amqp.router.route({}, report_render.name, args=(1,), kwargs={})
    assert route["queue"].name == "reports"
    assert report_render.soft_time_limit == settings.REPORT_TIME_LIMIT
    assert report_render.time_limit > report_render.soft_time_limit
