"""Celery tasks for reports: thin wrappers over reports.services, on the "reports" queue.

They take a report id (JSON only) and are safe to run twice: report_run claims the row
with a compare-and-set. Only transient database errors are retried, a few times.
"""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from reports import services
from reports.services import report_fail, report_release, report_run

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
        report_run(report_id=report_id)
    except OperationalError as exc:
        report_release(report_id=report_id)
        if self.request.retries >= MAX_RETRIES:
            report_fail(report_id=report_id, reason="The database was unavailable; try again.")
            return
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task(soft_time_limit=60, time_limit=90)
def reports_reconcile() -> list[int]:
    return services.reports_reconcile()
