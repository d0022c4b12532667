"""Celery tasks of the 287(g) import: thin wrappers that take ids and call agencies.services.

The AgreementImport row, not the broker, says what still has to run: `imports_reconcile`
re-queues runs whose message was lost or whose worker died (Redis redelivers an unacked
task only after its visibility timeout, an hour by default).
"""

from __future__ import annotations

from celery import chain, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from agencies import services
from agencies.importer.fetch import FetchTransientError

RUN_TIME_LIMIT = 300
FETCH_TIME_LIMIT = 600


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=services.TRANSIENT_DB_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=RUN_TIME_LIMIT - 30,
    time_limit=RUN_TIME_LIMIT,
)
def agreement_import_run(self, import_id: int) -> str | None:
    try:
        run = services.agreement_import_run(import_id=import_id)
    except SoftTimeLimitExceeded:
        services.agreement_import_fail(
            import_id=import_id,
            message=f"The import took longer than {RUN_TIME_LIMIT - 30} seconds and was stopped; "
            "nothing was changed.",
        )
        return "failed"
    return run.status if run else None


@shared_task(
    bind=True,
    autoretry_for=(FetchTransientError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=FETCH_TIME_LIMIT - 30,
    time_limit=FETCH_TIME_LIMIT,
)
def agreements_fetch(self) -> list[int]:
    final = self.request.retries >= self.max_retries
    return [run.pk for run in services.agreements_fetch(final_attempt=final)]


@shared_task(soft_time_limit=60, time_limit=90)
def imports_reconcile() -> list[int]:
    return services.agreement_imports_reconcile()


def agreement_imports_enqueue(import_ids: list[int]) -> None:
    """Send runs as one chain so lists of the same day apply in order (participating first);
    a run that fails records it and returns normally, so the chain goes on."""
    if not import_ids:
        return
    chain(*(agreement_import_run.si(import_id) for import_id in import_ids)).apply_async()
