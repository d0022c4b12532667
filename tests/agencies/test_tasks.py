"""Celery tasks of the import (run in-process: CELERY_BROKER_URL is empty in tests),
the reconciler, crash atomicity and concurrent runs."""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection, connections
from django.utils import timezone

from agencies import services, tasks
from agencies.models import Agency, Agreement, AgreementImport, ImportStatus
from agencies.signals import directory_changed
from tests.agencies.conftest import ice_file, needs_ice_files, participating_csv, run_list

D = dt.date
LIST = participating_csv(
    [
        ("FLORIDA", "Alpha Police Department", "TFM", "3/10/2025"),
        ("TEXAS", "Beta County Sheriff's Office", "JEM", "1/5/2025"),
    ]
)


def queued(data: bytes = LIST, name: str = "participatingAgencies04012025.csv"):
    return services.agreement_import_create(data=data, filename=name)


@contextmanager
def listening(receiver):
    """Connect a directory_changed receiver for the duration of the block."""
    directory_changed.connect(receiver, dispatch_uid="test_tasks")
    try:
        yield
    finally:
        directory_changed.disconnect(dispatch_uid="test_tasks")


@pytest.mark.django_db
def test_run_task_applies_a_queued_import_and_returns_its_status():
    run = queued()
    assert tasks.agreement_import_run.delay(run.pk).get() == "done"
    assert Agreement.objects.filter(status="active").count() == 2
    assert tasks.agreement_import_run.delay(run.pk).get() is None  # already done: no-op


@pytest.mark.django_db
def test_queue_runs_after_commit_in_list_order(django_capture_on_commit_callbacks):
    pending = services.agreement_import_create(
        data=b"STATE,LAW ENFORCEMENT AGENCY,SUPPORT TYPE\nFLORIDA,Alpha Police Department,TFM\n",
        filename="pendingAgencies04012025.csv",
    )
    participating = queued()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.agreement_imports_queue([pending, participating])
    assert AgreementImport.objects.filter(status="queued").count() == 2  # nothing before commit
    for callback in callbacks:
        callback()
    participating.refresh_from_db()
    pending.refresh_from_db()
    # Participating first, so Alpha reads "already active", not "pending".
    assert participating.finished_at < pending.finished_at
    assert pending.already_active_count == 1
    assert Agreement.objects.get(agency__name__startswith="Alpha").status == "active"


@pytest.mark.django_db
def test_a_crash_inside_the_transaction_leaves_nothing_and_the_run_can_be_retried():
    run = queued()

    def crash(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    with listening(crash), pytest.raises(OperationalError):
        services.agreement_import_run(import_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("queued", 1)  # back in the queue for the retry
    assert not Agency.objects.exists() and not Agreement.objects.exists()

    assert services.agreement_import_run(import_id=run.pk).status == "done"
    assert Agreement.objects.count() == 2


@pytest.mark.django_db
def test_a_bug_fails_the_run_loudly_and_writes_nothing():
    run = queued()
    with listening(lambda **kwargs: 1 / 0), pytest.raises(ZeroDivisionError):
        services.agreement_import_run(import_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "ZeroDivisionError" in run.error
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_the_import_tells_listeners_its_changes_and_records_how_many_they_notified():
    heard = []

    def receiver(sender, run, changes, **kwargs):
        heard.append(sorted(c.kind for c in changes))
        return 3

    with listening(receiver):
        run = services.agreement_import_run(import_id=queued().pk)
    assert heard == [["created", "created"]]
    assert run.notified_count == 3


@pytest.mark.django_db
def test_reconciler_requeues_lost_and_dead_runs_and_gives_up_after_three_attempts(
    django_capture_on_commit_callbacks,
):
    long_ago = timezone.now() - dt.timedelta(hours=1)
    dead = queued()
    AgreementImport.objects.filter(pk=dead.pk).update(
        status=ImportStatus.RUNNING, started_at=long_ago, attempts=1
    )
    lost = queued(
        participating_csv([("OHIO", "Gamma Police Department", "TFM", "")]), "p04022025.csv"
    )
    AgreementImport.objects.filter(pk=lost.pk).update(created_at=long_ago)
    hopeless = queued(b"STATE,X\n", "p04032025.csv")
    AgreementImport.objects.filter(pk=hopeless.pk).update(
        status=ImportStatus.RUNNING, started_at=long_ago, attempts=3
    )
    young = queued(b"STATE,Y\n", "p04042025.csv")
    AgreementImport.objects.filter(pk=young.pk).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        requeued = tasks.imports_reconcile.delay().get()

    assert sorted(requeued) == sorted([dead.pk, lost.pk])
    statuses = dict(AgreementImport.objects.values_list("pk", "status"))
    assert statuses[dead.pk] == statuses[lost.pk] == "done"
    assert statuses[hopeless.pk] == "failed" and statuses[young.pk] == "running"
    assert "interrupted 3 times" in AgreementImport.objects.get(pk=hopeless.pk).error
    assert Agreement.objects.count() == 3


@pytest.mark.django_db
def test_soft_time_limit_records_a_clear_failure(monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    run = queued()

    def slow(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "list_apply", slow)
    assert tasks.agreement_import_run.delay(run.pk).get() == "failed"
    run.refresh_from_db()
    assert run.status == "failed" and "took longer than" in run.error
    assert not Agreement.objects.exists()


# ------------------------------------------------------------- concurrency (PostgreSQL)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (row locks across connections)"
)


def _in_threads(*calls):
    errors, results = [], [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def work(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_import_apply_it_once():
    run = queued()
    results = _in_threads(
        lambda: services.agreement_import_run(import_id=run.pk),
        lambda: services.agreement_import_run(import_id=run.pk),
    )
    assert sorted(r is None for r in results) == [False, True]
    run.refresh_from_db()
    assert (run.status, run.attempts, run.created_count) == ("done", 1, 2)
    assert run.changes.count() == 2


@postgres_only
@needs_ice_files
@pytest.mark.django_db(transaction=True)
def test_two_different_imports_at_once_do_not_interleave():
    part, pend = (
        services.agreement_import_create(
            data=ice_file(name).read_bytes(), filename=name, list_date=D(2025, 6, 6)
        )
        for name in ("participatingAgencies06062025am.xlsx", "pendingAgencies06062025am.xlsx")
    )
    _in_threads(
        lambda: services.agreement_import_run(import_id=part.pk),
        lambda: services.agreement_import_run(import_id=pend.pk),
    )
    assert set(AgreementImport.objects.values_list("status", flat=True)) == {"done"}
    assert Agreement.objects.filter(status="active").count() == 648  # see test_import
    assert Agreement.objects.filter(status="pending").count() == 78


@pytest.mark.django_db
def test_directory_load_refuses_files_without_a_date(tmp_path):
    path = tmp_path / "participating.csv"
    path.write_bytes(LIST)
    with pytest.raises(Exception, match="give the list's date"):
        services.directory_load(paths=[path])
    assert run_list(LIST, "participating.csv", D(2025, 4, 1)).status == "done"
