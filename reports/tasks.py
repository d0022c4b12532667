"""Celery tasks for reports: thin wrappers over reports.services, on the "reports" queue.

They take a report id (JSON only) and are safe to run twice: report_run claims the row
with a compare-and-set. Only transient database errors are retried, a few times.
"""

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from reports import services
from reports.services import report_fail, report_run

MAX_RETRIES = 3


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=settings.REPORT_TIME_LIMIT,
    time_limit=settings.REPORT_TIME_LIMIT + 30,
)
def report_render(self, report_id: int) -> None:
    try:
        report_run(report_id=report_id, task_id=self.request.id or "")
    except (OperationalError, InterfaceError) as exc:
        # The database went away mid-render (restart, failover, killed backend). Drop the
        # dead connection; the retry reclaims the report by its task id, so it is never
        # left "running" by a task that gave up.
        connection.close()
        if self.request.retries >= MAX_RETRIES:
            try:
                report_fail(report_id=report_id, reason="The database was unavailable; try again.")
            except (OperationalError, InterfaceError):
                pass  # still down: the reconciler fails it once the lease is over
            return
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc


@shared_task(soft_time_limit=60, time_limit=90)
def reports_reconcile() -> list[int]:
    return services.reports_reconcile()


@worker_ready.connect
def _reclaim_orphans(**kwargs) -> None:
    """A restarted worker picks up the renders its killed processes left running."""
    services.reports_reclaim_orphans()
