"""Nothing stuck, nothing doubled: a broker outage at request time and the reconciler."""

from __future__ import annotations

import datetime as dt
import errno

import pytest
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from reports.models import Report, ReportStatus
from reports.services import report_request, report_run, reports_reconcile

pytestmark = pytest.mark.django_db

Q2 = {"year": 2025, "quarter": 2}


def _broker_down(*args, **kwargs):
    raise BrokerError("Error 111 connecting to 127.0.0.1:1. Connection refused.")


def test_request_while_broker_is_down_is_recorded_and_sent_later(
    world, media, monkeypatch, settings, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("reports.tasks.report_render.delay", _broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(actor=world.erin, kind="quarterly", params=Q2)
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED  # the page answered; the row waits

    assert reports_reconcile() == []  # too young to be called lost
    old = timezone.now() - dt.timedelta(minutes=settings.REPORT_STUCK_MINUTES + 1)
    Report.objects.filter(pk=report.pk).update(created_at=old)
    assert reports_reconcile() == []  # broker still down: stays queued, no error
    monkeypatch.undo()
    assert reports_reconcile() == [report.pk]
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.attempts == 1


def test_report_whose_worker_keeps_dying_fails_with_a_reason(world, media, settings):
    report = report_request(actor=world.erin, kind="quarterly", params=Q2)
    long_ago = timezone.now() - dt.timedelta(seconds=settings.REPORT_TIME_LIMIT + 120)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING, started_at=long_ago, attempts=settings.REPORT_MAX_ATTEMPTS
    )
    assert reports_reconcile() == []
    report.refresh_from_db()
    assert (
        report.status == ReportStatus.FAILED
        and f"interrupted {settings.REPORT_MAX_ATTEMPTS} times" in report.error
    )
    assert "Report failed" in world.erin.notifications.get().message


def test_full_media_folder_fails_with_a_reason_and_leaves_no_file(world, media, monkeypatch):
    real_save = FileSystemStorage._save
    calls = []

    def save_then_fill_up(self, name, content):
        calls.append(name)
        if len(calls) > 1:  # the PDF is written, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", save_then_fill_up)
    report = report_request(actor=world.erin, kind="quarterly", params=Q2)
    report_run(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error == "The files could not be saved (No space left on device)."
    assert not report.pdf and not any(p.is_file() for p in media.rglob("*"))
    assert "Report failed" in world.erin.notifications.get().message
