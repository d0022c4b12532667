"""Celery app: settings come from Django's (CELERY_ namespace), JSON only."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworker.settings")

app = Celery("caseworker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
