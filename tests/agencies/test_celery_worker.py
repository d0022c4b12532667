"""The import through a real Celery worker and Redis, including a worker killed mid-import.

Needs PostgreSQL (DATABASE_URL) and Redis on 127.0.0.1:6379; skipped otherwise. The worker
is a subprocess using the test database, so the tests commit (transactional_db).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError, connection

from agencies import services, tasks
from agencies.models import Agency, Agreement, AgreementImport, ImportLock
from tests.agencies.conftest import ice_file, needs_ice_files
from tests.workers import Worker, broker_fixture, wait_for

REDIS_URL = "redis://127.0.0.1:6379/11"

pytestmark = [pytest.mark.celery, needs_ice_files]


@pytest.fixture
def broker(transactional_db):
    yield from broker_fixture(REDIS_URL)


def _worker(log):
    return Worker(log, broker=REDIS_URL, queues="celery")


def _status(run: AgreementImport) -> str:
    return AgreementImport.objects.values_list("status", flat=True).get(pk=run.pk)


def _queued(name: str, on: dt.date) -> AgreementImport:
    return services.agreement_import_create(
        data=ice_file(name).read_bytes(), filename=name, list_date=on
    )


def test_a_real_worker_runs_the_import(broker, worker_log):
    worker = _worker(worker_log)
    try:
        run = _queued("participatingAgencies06062025am.xlsx", dt.date(2025, 6, 6))
        tasks.agreement_import_run.delay(run.pk)
        wait_for(lambda: _status(run) == "done", "the import to finish", worker_log)
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
    first = _worker(worker_log)
    try:
        run = _queued(name, dt.date(2025, 9, 18))
        tasks.agreement_import_run.delay(run.pk)
        wait_for(_import_transaction_open, "the import to be mid-transaction", worker_log)
    finally:
        first.kill()
    # Killed inside its transaction: nothing of the import is in the database.
    assert _status(run) == "running"
    assert not Agency.objects.exists() and not Agreement.objects.exists()

    second = _worker(worker_log)
    try:
        requeued = services.agreement_imports_reconcile(stuck_after=dt.timedelta(0))
        assert requeued == [run.pk]
        wait_for(lambda: _status(run) == "done", "the re-queued import", worker_log)
    finally:
        second.stop()
    run.refresh_from_db()
    assert (run.created_count, run.attempts) == (1000, 2)
    assert Agreement.objects.filter(status="active").count() == 1000
    assert run.changes.count() == 1000  # one "created" each, applied exactly once
