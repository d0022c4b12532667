"""Nothing stuck, nothing doubled: a broker outage at request time and the reconciler."""

from __future__ import annotations

import datetime as dt
import errno
import os
import socket

import pytest
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from reports.models import Report, ReportStatus
from reports.services import (
    report_request,
    report_run,
    reports_reclaim_orphans,
    reports_reconcile,
)

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


def _held_by(report, claimed_by, *, started=None):
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING,
        started_at=started or timezone.now(),
        claimed_by=claimed_by,
        attempts=1,
    )


def test_a_render_whose_process_was_killed_is_taken_over_at_once(world, media):
    """The out-of-memory killer's case: the message comes back, the claim names a dead
    process on this host, so the next try renders instead of skipping."""
    report = report_request(actor=world.erin, kind="quarterly", params=Q2)
    _held_by(report, f"{socket.gethostname()}:{2**22 + 7}:12345:other-task")
    report_run(report_id=report.pk, task_id="next-task")
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.DONE, 2)
    assert report.claimed_by.endswith(":next-task")


def test_a_live_render_is_not_taken_over(world, media):
    """A running render in a live process, or on another host, keeps its claim until its
    lease is over: the report is never rendered twice at once."""
    report = report_request(actor=world.erin, kind="quarterly", params=Q2)
    with open(f"/proc/{os.getpid()}/stat") as stat:
        start = stat.read().rsplit(")", 1)[1].split()[19]
    for holder in (
        f"{socket.gethostname()}:{os.getpid()}:{start}:first-task",
        f"another-host:{2**22 + 7}:12345:first-task",
    ):
        _held_by(report, holder)
        report_run(report_id=report.pk, task_id="second-task")
        report.refresh_from_db()
        assert (report.status, report.attempts, report.claimed_by) == (
            ReportStatus.RUNNING,
            1,
            holder,
        )


def test_a_retry_takes_its_own_claim_back(world, media):
    """A task that lost its database mid-render retries with the same task id; the row it
    left running is its own to take back."""
    report = report_request(actor=world.erin, kind="quarterly", params=Q2)
    _held_by(report, "another-host:1:1:the-task")
    report_run(report_id=report.pk, task_id="the-task")
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE


def test_a_restarted_worker_resends_renders_its_dead_processes_left(world, media, monkeypatch):
    report = report_request(actor=world.erin, kind="quarterly", params=Q2)
    _held_by(report, f"{socket.gethostname()}:{2**22 + 7}:12345:lost-task")
    sent = []
    monkeypatch.setattr("reports.tasks.report_render.delay", sent.append)
    assert reports_reclaim_orphans() == [report.pk] and sent == [report.pk]


def test_run_again_replaces_a_stuck_report_but_not_a_running_one(world, media, client, settings):
    client.force_login(world.erin)
    report = report_request(actor=world.erin, kind="quarterly", params=Q2)
    _held_by(report, "another-host:1:1:t")
    url = f"/api/v1/reports/{report.public_id}/rerun/"
    answer = client.post(url)
    assert answer.status_code == 400 and "still being produced" in str(answer.json())

    long_ago = timezone.now() - dt.timedelta(minutes=settings.REPORT_STUCK_MINUTES + 1)
    Report.objects.filter(pk=report.pk).update(started_at=long_ago)
    page = client.get("/reports/")
    assert b"taking longer than it should" in page.content and b"Run again" in page.content
    answer = client.post(url)
    assert answer.status_code == 201 and answer.json()["status"] == "queued"
    report.refresh_from_db()
    assert (report.status, report.error) == (ReportStatus.FAILED, "Replaced by a new run.")
