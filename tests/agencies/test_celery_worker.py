"""The import through a real Celery worker and Redis, including a worker killed mid-import.

Needs PostgreSQL (DATABASE_URL) and Redis on 127.0.0.1:6379; skipped otherwise. The worker
is a subprocess using the test database, so the tests commit (transactional_db).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import OperationalError, connection

from agencies import services, tasks
from agencies.models import Agency, Agreement, AgreementImport, ImportLock
from caseworker.celery import app
from tests.agencies.conftest import REPO_ROOT, ice_file, needs_ice_files

REDIS_URL = "redis://127.0.0.1:6379/11"
TIMEOUT = 45

pytestmark = [pytest.mark.celery, needs_ice_files]


def _redis_down() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:  # any failure means we cannot test against it
        return f"Redis is not reachable at {REDIS_URL} ({exc.__class__.__name__})"
    return None


def _skip_reason() -> str | None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return "needs PostgreSQL: set DATABASE_URL=postgres://… (the worker shares the test DB)"
    return _redis_down()


@pytest.fixture
def broker(transactional_db):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    _use_broker(REDIS_URL, eager=False)
    yield REDIS_URL
    _use_broker(*saved)


def _use_broker(url: str, eager: bool) -> None:
    """Point this process's Celery app at another broker. The producer pools are cached
    per app; earlier eager tests may have built them for the default broker."""
    app.conf.broker_url, app.conf.task_always_eager = url, eager
    app._pool = None
    app.amqp._producer_pool = None


class Worker:
    """`celery -A caseworker worker` on the test database, solo pool (one process)."""

    def __init__(self, log: Path):
        db = settings.DATABASES["default"]
        auth = quote(db["USER"] or "postgres") + (
            f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
        )
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{auth}@{host}/{db['NAME']}",
            "CELERY_BROKER_URL": REDIS_URL,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SECRET_KEY": "worker-test-only",
            "DEBUG": "false",
        }
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "caseworker", "worker", "--pool", "solo",
             "-Q", "celery", "-n", f"imp-{uuid.uuid4().hex[:8]}@%h", "--loglevel", "INFO",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=REPO_ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def kill(self):
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def worker_log(tmp_path):
    path = tmp_path / "worker.log"
    yield path
    if path.exists():  # shown by pytest when the test failed
        sys.stdout.write(path.read_text()[-4000:])


def _wait_for(predicate, what: str, log: Path):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{log.read_text()[-3000:]}")


def _status(run: AgreementImport) -> str:
    return AgreementImport.objects.values_list("status", flat=True).get(pk=run.pk)


def _queued(name: str, on: dt.date) -> AgreementImport:
    return services.agreement_import_create(
        data=ice_file(name).read_bytes(), filename=name, list_date=on
    )


def test_a_real_worker_runs_the_import(broker, worker_log):
    worker = Worker(worker_log)
    try:
        run = _queued("participatingAgencies06062025am.xlsx", dt.date(2025, 6, 6))
        tasks.agreement_import_run.delay(run.pk)
        _wait_for(lambda: _status(run) == "done", "the import to finish", worker_log)
    finally:
        worker.stop()
    run.refresh_from_db()
    assert (run.created_count, run.attempts) == (648, 1)  # two rows are one (test_import)
    assert Agreement.objects.filter(status="active").count() == 648


def _import_transaction_open() -> bool:
    """True while a run holds the import lock, i.e. is inside its transaction."""
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT id FROM agencies_importlock WHERE id = 1 FOR UPDATE NOWAIT")
        except OperationalError:  # lock not available
            return True
    return False


def test_a_worker_killed_mid_import_leaves_nothing_and_the_reconciler_finishes_it(
    broker, worker_log
):
    name = "participatingAgencies09182025pm.xlsx"
    ImportLock.objects.get_or_create(pk=1)  # the flush between tests removed it
    first = Worker(worker_log)
    try:
        run = _queued(name, dt.date(2025, 9, 18))
        tasks.agreement_import_run.delay(run.pk)
        _wait_for(_import_transaction_open, "the import to be mid-transaction", worker_log)
    finally:
        first.kill()
    # Killed inside its transaction: nothing of the import is in the database.
    assert _status(run) == "running"
    assert not Agency.objects.exists() and not Agreement.objects.exists()

    second = Worker(worker_log)
    try:
        requeued = services.agreement_imports_reconcile(stuck_after=dt.timedelta(0))
        assert requeued == [run.pk]
        _wait_for(lambda: _status(run) == "done", "the re-queued import", worker_log)
    finally:
        second.stop()
    run.refresh_from_db()
    assert (run.created_count, run.attempts) == (1000, 2)
    assert Agreement.objects.filter(status="active").count() == 1000
    assert run.changes.count() == 1000  # one "created" each, applied exactly once
