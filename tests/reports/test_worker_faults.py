"""Faults injected into real processes: a quarterly report rendered by a real Celery worker
(prefork, as docker-compose runs it) through Redis, on PostgreSQL.

Each fault ends in "done" (or "failed" with a reason) within seconds, never "running".
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time

import pytest
from django.db import connection

from reports.models import Report, ReportStatus
from reports.services import report_request
from tests.workers import Worker, broker_fixture, use_broker, wait_for

REDIS_URL = "redis://127.0.0.1:6379/12"
Q2 = {"year": 2025, "quarter": 2}

pytestmark = pytest.mark.celery


@pytest.fixture
def broker(transactional_db):
    yield from broker_fixture(REDIS_URL)


@pytest.fixture
def worker(broker, media, worker_log):
    process = Worker(worker_log, broker=broker, queues="reports", pool="prefork")
    yield process
    process.stop()


def _row(report) -> Report:
    return Report.objects.get(pk=report.pk)


def _running(report) -> bool:
    row = _row(report)
    return row.status == ReportStatus.RUNNING and bool(row.claimed_by)


def _finished(report) -> bool:
    return _row(report).status in (ReportStatus.DONE, ReportStatus.FAILED)


def test_a_render_killed_by_the_out_of_memory_killer_is_rendered_again(world, worker, worker_log):
    report = report_request(actor=world.erin, kind="quarterly", params=Q2)
    wait_for(lambda: _running(report), "the render to start", worker_log, every=0.01)
    render_pid = int(_row(report).claimed_by.split(":")[1])
    assert render_pid != worker.process.pid  # the pool process, not the worker
    os.kill(render_pid, signal.SIGKILL)

    wait_for(lambda: _finished(report), "the report to finish", worker_log)
    row = _row(report)
    assert (row.status, row.attempts) == (ReportStatus.DONE, 2)
    assert row.pdf.open("rb").read(5) == b"%PDF-"
    ready = world.erin.notifications.filter(message__startswith="Report ready")
    assert ready.count() == 1  # finished exactly once


def test_a_database_connection_cut_mid_render_is_retried_to_the_end(world, worker, worker_log):
    """What a PostgreSQL restart or failover does to the worker's connection."""
    report = report_request(actor=world.erin, kind="quarterly", params=Q2)
    wait_for(lambda: _running(report), "the render to start", worker_log, every=0.01)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchall(), "the worker had no connection to cut"

    wait_for(lambda: _finished(report), "the retried report", worker_log, timeout=90)
    row = _row(report)
    assert (row.status, row.attempts) == (ReportStatus.DONE, 2)
    assert world.erin.notifications.filter(message__startswith="Report ready").count() == 1


def _silent_broker(stop: threading.Event) -> socket.socket:
    """A port that accepts connections and never answers: a hung Redis."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    held = []

    def accept():
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
        for conn in held:
            conn.close()
        listener.close()

    threading.Thread(target=accept, daemon=True).start()
    return listener


@pytest.mark.parametrize("fault", ["down", "hung"])
def test_requesting_a_report_while_the_broker_is_down_or_hung_answers_promptly(
    world, client, media, fault, transactional_db
):
    stop = threading.Event()
    if fault == "hung":
        port = _silent_broker(stop).getsockname()[1]
    else:
        with socket.socket() as probe:  # a port nothing listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    use_broker(f"redis://127.0.0.1:{port}/0", eager=False)
    client.force_login(world.erin)
    try:
        started = time.monotonic()
        form = {"quarterly-year": 2025, "quarterly-quarter": 2, "quarterly-fiscal": "false"}
        answer = client.post("/reports/request/quarterly/", form)
        elapsed = time.monotonic() - started
    finally:
        use_broker("", eager=True)
        stop.set()
    assert answer.status_code == 302, answer.content.decode()[-3000:]
    assert elapsed < 15  # two 5 s socket timeouts at most, never gunicorn's 60 s kill
    report = Report.objects.get()
    assert report.status == ReportStatus.QUEUED  # recorded; the reconciler sends it later
