import pytest
from django.core.management import call_command

from accounts.models import Office, User
from agencies.models import Agency, Agreement
from cases.models import Case, Client, DetentionEvent, Note


def _counts():
    return [
        m.objects.count()
        for m in (Office, User, Agency, Agreement, Client, Case, DetentionEvent, Note)
    ]


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_consistent(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", clients=8)
    first = _counts()
    first_logins = (tmp_path / "demo-logins.txt").read_text()
    call_command("seed_demo", clients=8)
    assert _counts() == first
    assert (tmp_path / "demo-logins.txt").read_text() == first_logins
    out = capsys.readouterr().out
    assert "fl-caseworker" in out and "tx-director" in out
    assert User.objects.filter(role_grants__role="attorney").count() == 2
    assert Client.objects.count() == 8
    # Snapshots agree with the agreements in force on each event's date.
    from agencies.selectors import agency_standings_on

    for event in DetentionEvent.objects.exclude(arresting_agency=None):
        standing = agency_standings_on(
            agency_ids=[event.arresting_agency_id], on_date=event.event_date
        )[event.arresting_agency_id]
        assert sorted(event.arresting_models) == sorted(standing.active)
