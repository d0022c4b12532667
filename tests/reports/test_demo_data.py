"""The demo data exercises every definition the quarterly report draws on."""

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from cases.models import Case, Client, DetentionEvent

pytestmark = pytest.mark.django_db


def test_demo_data_exercises_the_report_definitions(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", clients=40, scale=200)
    cases_per_client = Client.objects.annotate(n=Count("cases")).filter(n__gt=1)
    assert cases_per_client.exists()  # cases with a detention differ from clients
    assert Case.objects.annotate(n=Count("detention_events")).filter(n__gt=1).exists()
    assert Case.objects.filter(opened_on__gt=F("intake__received_on")).exists()
    bulk = DetentionEvent.objects.filter(case__number__startswith="S")
    assert bulk.filter(needs_scope_review=True).exists()
    outcomes = set(bulk.values_list("outcome", flat=True))
    assert {"released", "bond_posted", "removed", "detained"} <= outcomes
    assert bulk.filter(transferred_to_ice=True, transfer_date__isnull=False).exists()
