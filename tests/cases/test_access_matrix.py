"""Every case page against the whole cast (tests/access.py): anonymous users are sent to
log in; other offices and admins get 404 for a record (its existence is not revealed);
a director reads but does not write; lists and forms are for case staff."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from cases.models import Deadline, Note
from tests.access import (
    CASE_READERS,
    LOGIN,
    OWN_OFFICE_RECORD,
    OWN_OFFICE_WRITE,
    expect,
    statuses,
)
from tests.cases.workflow import make_case
from tests.factories import DetentionEventFactory

pytestmark = pytest.mark.django_db

OPENS_CASES = expect(LOGIN, 200, 200, 200, 200, 403, 403)


@pytest.fixture
def record(north, alice):
    """A north case with an event, a deadline and its client."""
    case = make_case(north, caseworker=alice)
    event = DetentionEventFactory(case=case)
    deadline = Deadline.objects.create(
        case=case, kind="hearing", due_on=case.opened_on, created_by=alice
    )
    return {"case": case, "client": case.client, "event": event, "deadline": deadline}


READS = [
    ("cases:detail", "case", OWN_OFFICE_RECORD),
    ("cases:client", "client", OWN_OFFICE_RECORD),
    ("cases:event", "event", OWN_OFFICE_RECORD),
    ("cases:list", None, CASE_READERS),
    ("cases:events", None, CASE_READERS),
    ("cases:deadlines", None, CASE_READERS),
    ("cases:scope-queue", None, CASE_READERS),
    ("cases:intake", None, OPENS_CASES),
    ("home", None, expect(LOGIN, 200, 200, 200, 200, 200, 200)),
]


@pytest.mark.parametrize("name, target, expected", READS, ids=[r[0] for r in READS])
def test_pages_answer_each_person_as_the_access_rules_say(
    client, request, record, name, target, expected
):
    url = reverse(name, args=[record[target].public_id]) if target else reverse(name)
    assert statuses(client, request, url) == expected


WRITES = [
    ("cases:status", "case", {"status": "nonsense"}),
    ("cases:assign", "case", {"caseworker": "not-a-person"}),
    ("cases:note-add", "case", {"body": ""}),
    ("cases:deadline-add", "case", {"kind": ""}),
    ("cases:event-edit", "event", {"event_date": "not a date"}),
    ("cases:client-edit", "client", {"given_names": ""}),
]


@pytest.mark.parametrize("name, target, data", WRITES, ids=[w[0] for w in WRITES])
def test_invalid_writes_are_refused_before_they_are_read(
    client, request, record, name, target, data
):
    """Other offices and admins: 404; the director: 403; the office's staff: the form's
    errors (400). Nothing is written, and nobody outside the office leaves a read audit: their
    404s are on record as denied, nothing more."""
    url = reverse(name, args=[record[target].public_id])
    last_audit = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    notes = Note.objects.count()
    assert statuses(client, request, url, method="post", data=data) == OWN_OFFICE_WRITE
    assert Note.objects.count() == notes
    since = AuditEntry.objects.filter(id__gt=last_audit)
    assert (
        not since.exclude(action__in=[AuditAction.LOGIN, AuditAction.DENIED])
        .filter(actor__username__in=["carol", "dave", "erin", "frank"])
        .exists()
    )
