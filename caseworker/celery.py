"""Celery app: settings come from Django's (CELERY_ namespace), JSON only."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworker.settings")

app = Celery("caseworker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _refuse_without_keys(**kwargs) -> None:
    """A worker with missing or wrong encryption keys stops at start, like the web server."""
    from caseworker.lib.crypto import require_keys

    require_keys()
