"""Celery tasks for cases: thin wrappers over cases.services (ids only, never client data)."""

from celery import shared_task

from cases.services import retention_run as run_retention


@shared_task(acks_late=True)
def retention_run() -> int:
    """The daily retention run; idempotent, so a duplicate delivery does nothing more.
    Returns the id of the RetentionRun row."""
    return run_retention(actor=None).run.pk
