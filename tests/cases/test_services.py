"""Writes and reads behind the caseworker pages: the rules every entry point shares."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.models import AgreementPeriod
from audit.models import AuditAction, AuditEntry
from cases import selectors, services
from cases.duplicate_scoring import name_similarity
from cases.models import Case, CaseStatus, Client, Deadline, DetentionEvent, Intake
from cases.services import clients as client_services
from tests.cases.workflow import (
    jem_sheriff,
    make_case,
    task_force_police,
)
from tests.factories import ClientFactory

TODAY = timezone.localdate()
JUNE = dt.date(2025, 6, 2)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _intake(actor, office, *, client=None, event=None, **client_fields):
    return services.intake_record(
        actor=actor,
        office=office,
        client=client,
        client_fields={"given_names": "José", "family_names": "García López", **client_fields},
        intake={"received_on": TODAY, "channel": "hotline", "narrative": "Detained."},
        event=event,
    )


def _event(**fields):
    return {
        "event_date": JUNE,
        "state": "FL",
        "encounter": "traffic_stop",
        "outcome": "detained",
        **fields,
    }


# Clients ----------------------------------------------------------------------------


def test_client_a_number_is_normalised_and_unique_in_any_format(alice):
    client = services.client_create(
        actor=alice, given_names="Ana", family_names="Ruiz", a_number="a 12-345-678"
    )
    assert client.a_number == "A012345678"
    with pytest.raises(ValidationError) as caught:
        services.client_create(
            actor=alice, given_names="Ana", family_names="Ruiz", a_number="012.345.678"
        )
    assert "already recorded" in caught.value.message_dict["a_number"][0]
    assert Client.objects.count() == 1


def test_a_concurrent_duplicate_insert_becomes_a_field_error(alice):
    ClientFactory(a_number="A012345678")
    twin = Client(given_names="Ana", family_names="Ruiz", a_number="A012345678", search_name="x")
    with pytest.raises(ValidationError) as caught:
        client_services._client_save(twin)  # what the database's unique constraint catches
    assert "a_number" in caught.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"a_number": "B123"}, "a_number", "letter A followed by 8 or 9 digits"),
        ({"date_of_birth": TODAY + dt.timedelta(days=1)}, "date_of_birth", "future"),
        ({"date_of_birth": dt.date(1890, 1, 1)}, "date_of_birth", "before 1900"),
        ({"given_names": "  "}, "given_names", "cannot be blank"),
    ],
)
def test_client_rules_give_field_messages(alice, fields, field, text):
    with pytest.raises(ValidationError) as caught:
        services.client_create(actor=alice, **{"given_names": "Ana", "family_names": "R", **fields})
    assert text in " ".join(caught.value.message_dict[field])


def test_client_update_needs_a_writable_case_and_keeps_identifiers_out_of_the_log(
    alice, erin, north
):
    case = make_case(north)
    with pytest.raises(PermissionDenied):
        services.client_update(actor=erin, client=case.client, phone="555")
    services.client_update(actor=alice, client=case.client, a_number="A123456789", languages="Mam")
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, target_type="cases.Client")
    assert entry.changes["a_number"] == ["…", "…"]
    assert entry.changes["languages"] == ["…", "…"]  # every client field is identifying
    assert "123456789" not in str(entry.changes) and "Mam" not in str(entry.changes)


def test_fill_blanks_never_overwrites(alice, north):
    case = make_case(north, client=ClientFactory(languages="Spanish"))
    filled, differing = services.client_fill_blanks(
        actor=alice,
        client=case.client,
        fields={"languages": "K'iche'", "phone": "555-0100", "date_of_birth": dt.date(1990, 1, 1)},
    )
    case.client.refresh_from_db()
    assert filled == ["phone"] and differing == ["languages"]
    assert case.client.languages == "Spanish" and case.client.phone == "555-0100"


# Intake -----------------------------------------------------------------------------


def test_intake_with_first_event_stores_the_snapshot(alice, north):
    police, jail = task_force_police(), jem_sheriff()
    record = _intake(alice, north, event=_event(arresting_agency=police, custody_agency=jail))
    event = record.case.detention_events.get()
    assert record.case.caseworker == alice and record.case.office == north
    assert event.arresting_models == ["TFM"] and event.custody_models == ["JEM"]
    assert event.snapshot_at is not None


def test_intake_is_all_or_nothing_and_names_the_event_field(alice, north):
    with pytest.raises(ValidationError) as caught:
        _intake(alice, north, event=_event(outcome_date=JUNE - dt.timedelta(days=1)))
    assert "before the arrest" in caught.value.message_dict["event:outcome_date"][0]
    assert not Client.objects.exists() and not Case.objects.exists()


def test_intake_date_cannot_be_in_the_future(alice, north):
    with pytest.raises(ValidationError) as caught:
        services.intake_record(
            actor=alice,
            office=north,
            client=None,
            client_fields={"given_names": "A", "family_names": "B"},
            intake={
                "received_on": TODAY + dt.timedelta(days=2),
                "channel": "hotline",
                "narrative": "x",
            },
        )
    assert "future" in caught.value.message_dict["received_on"][0]


# Duplicates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "family", "dob"),
    [
        ("Jose", "Garcia Lopez", dt.date(1990, 4, 12)),  # accents
        ("José", "García-López", dt.date(1990, 4, 12)),  # hyphen
        ("José", "López García", dt.date(1990, 4, 12)),  # swapped surnames
        ("Jose", "Garsia Lopes", dt.date(1990, 4, 12)),  # typos
        ("José", "García", dt.date(1990, 4, 12)),  # second surname dropped
        ("Jose", "Garcia Lopez", dt.date(1990, 12, 4)),  # day and month swapped
        ("Jose", "Garcia Lopez", None),  # date of birth not known yet
    ],
)
def test_duplicates_found_despite_spelling(alice, north, given, family, dob):
    existing = ClientFactory(
        given_names="José",
        family_names="García López",
        date_of_birth=dt.date(1990, 4, 12),
        search_name="jose garcia lopez",
    )
    make_case(north, client=existing)
    report = selectors.client_duplicates(
        user=alice, given_names=given, family_names=family, date_of_birth=dob
    )
    assert [c.client for c in report.candidates] == [existing]


def test_no_duplicate_for_a_different_person(alice, north):
    make_case(
        north,
        client=ClientFactory(
            given_names="José",
            family_names="García López",
            date_of_birth=dt.date(1990, 4, 12),
            search_name="jose garcia lopez",
        ),
    )
    assert not selectors.client_duplicates(
        user=alice, given_names="Juan", family_names="García", date_of_birth=dt.date(1990, 4, 12)
    )
    assert not selectors.client_duplicates(
        user=alice,
        given_names="José",
        family_names="García López",
        date_of_birth=dt.date(1985, 7, 30),
    )


def test_other_offices_clients_are_not_shown_but_their_a_number_is_reported(alice, south):
    hidden = ClientFactory(
        given_names="Ana", family_names="Ruiz", a_number="A123456789", search_name="ana ruiz"
    )
    make_case(south, client=hidden)
    by_name = selectors.client_duplicates(user=alice, given_names="Ana", family_names="Ruiz")
    assert not by_name.candidates
    by_number = selectors.client_duplicates(
        user=alice, given_names="X", family_names="Y", a_number="A-123-456-789"
    )
    assert by_number.a_number_client == hidden and not by_number.a_number_visible
    assert not by_number.candidates


def test_name_similarity_orders_sensibly():
    assert name_similarity("Maria Garcia", "Mario Garcia") > name_similarity(
        "Maria Garcia", "Juan Garcia"
    )
    assert name_similarity("Ana Ejemplo Muestra", "Ana Muestra Ejemplo") == 100


# Detention events --------------------------------------------------------------------


def test_snapshot_recomputed_on_date_change_only(alice, north):
    police = task_force_police()
    case = make_case(north)
    event = services.detention_log(actor=alice, case=case, **_event(arresting_agency=police))
    assert event.arresting_models == ["TFM"]
    # The agreement ends later; editing charges must not rewrite history.
    AgreementPeriod.objects.update(end=dt.date(2025, 7, 1))
    services.detention_update(actor=alice, event=event, charges="Driving without a licence")
    event.refresh_from_db()
    assert event.arresting_models == ["TFM"]
    # Moving the date before the agreement recomputes it.
    services.detention_update(actor=alice, event=event, event_date=dt.date(2025, 1, 5))
    event.refresh_from_db()
    assert event.arresting_models == []


def test_linking_a_typed_agency_fills_the_snapshot(alice, north):
    case = make_case(north)
    event = services.detention_log(
        actor=alice, case=case, **_event(custody_agency_name="Sangamon jail")
    )
    assert event.needs_agency_link and event.custody_models == []
    services.detention_update(actor=alice, event=event, custody_agency=jem_sheriff())
    event.refresh_from_db()
    assert event.custody_models == ["JEM"] and not event.needs_agency_link
    assert event.custody_agency_name == ""


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"event_date": TODAY + dt.timedelta(days=1)}, "event_date"),
        ({"outcome_date": dt.date(2025, 6, 1)}, "outcome_date"),
        ({"bond_amount": 5_000_000}, "bond_amount"),
        ({"detainer_date": dt.date(2025, 5, 1)}, "detainer_date"),
    ],
)
def test_event_rules(alice, north, fields, field):
    with pytest.raises(ValidationError) as caught:
        services.detention_log(actor=alice, case=make_case(north), **_event(**fields))
    assert field in caught.value.message_dict
    assert not DetentionEvent.objects.exists()


# Case status, assignment, notes, deadlines -------------------------------------------------


def test_assignment_accepts_only_members_of_the_office_in_that_role(alice, bob, carol, north):
    case = make_case(north)
    with pytest.raises(ValidationError) as caught:
        services.case_assign(actor=alice, case=case, caseworker=carol)
    assert "not a caseworker of North Office" in caught.value.message_dict["caseworker"][0]
    with pytest.raises(ValidationError):
        services.case_assign(actor=alice, case=case, attorney=alice)
    services.case_assign(actor=alice, case=case, caseworker=alice, attorney=bob)
    entry = AuditEntry.objects.get(case_id=case.pk, action=AuditAction.UPDATE)
    assert "attorney Bob" in entry.summary


def test_closing_needs_an_outcome_and_a_sensible_date(alice, north):
    case = make_case(north, opened_on=dt.date(2025, 3, 1))
    with pytest.raises(ValidationError) as caught:
        services.case_set_status(actor=alice, case=case, status=CaseStatus.CLOSED)
    assert "outcome" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.case_set_status(
            actor=alice,
            case=case,
            status="closed",
            outcome="released",
            closed_on=dt.date(2025, 2, 1),
        )
    assert "cannot close before" in caught.value.message_dict["closed_on"][0]
    services.case_set_status(actor=alice, case=case, status="closed", outcome="released")
    services.case_set_status(actor=alice, case=case, status="closed", outcome="released")
    assert AuditEntry.objects.filter(case_id=case.pk).count() == 1  # the no-op is not logged
    case.refresh_from_db()
    assert case.closed_on == TODAY


def test_only_attorneys_write_privileged_notes(alice, bob, erin, north):
    case = make_case(north)
    with pytest.raises(PermissionDenied):
        services.note_add(actor=alice, case=case, body="x", privileged=True)
    with pytest.raises(PermissionDenied):
        services.note_add(actor=erin, case=case, body="x")
    assert services.note_add(actor=bob, case=case, body="strategy", privileged=True).privileged


def test_deadline_done_is_recorded_once(alice, north):
    case = make_case(north)
    deadline = services.deadline_add(
        actor=alice, case=case, kind="hearing", due_on=TODAY + dt.timedelta(days=3)
    )
    services.deadline_set_done(actor=alice, deadline=deadline)
    services.deadline_set_done(actor=alice, deadline=deadline)
    assert Deadline.objects.get().done_at is not None
    done = AuditEntry.objects.filter(summary__startswith="Deadline done")
    assert done.count() == 1
    with pytest.raises(ValidationError):
        services.deadline_add(actor=alice, case=case, kind="hearing", due_on=dt.date(2205, 1, 1))


# Attachments ------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_attachment_is_stored_under_a_random_name_with_its_real_type(alice, north, media):
    upload = SimpleUploadedFile("../../etc/Bond receipt.pdf", PDF, content_type="text/html")
    attachment = services.attachment_add(actor=alice, case=make_case(north), upload=upload)
    assert attachment.original_name == "Bond receipt.pdf"
    assert attachment.content_type == "application/pdf"  # sniffed, not the browser's claim
    stored = media / attachment.file.name
    assert "Bond" not in stored.name
    assert PDF not in stored.read_bytes()  # encrypted at rest
    with attachment.file.open("rb") as handle:
        assert handle.read() == PDF
    assert len(attachment.sha256) == 64


@pytest.mark.parametrize(
    ("name", "content", "text"),
    [
        ("page.pdf", b"<html><script>alert(1)</script></html>\x00", "cannot be attached"),
        ("tool.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "cannot be attached"),
        ("receipt.txt", PDF, "Rename it to end in .pdf"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_attachment_type_is_checked_from_its_bytes(alice, north, media, name, content, text):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(actor=alice, case=make_case(north), upload=upload)
    assert text in caught.value.message_dict["file"][0]
    assert not list(media.rglob("*.*"))


def test_attachment_size_limit(alice, north, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.txt", b"a" * 2048)
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(actor=alice, case=make_case(north), upload=upload)
    assert "the limit is" in caught.value.message_dict["file"][0]


def test_office_documents_are_recognised_inside_the_zip(alice, north, media):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    upload = SimpleUploadedFile("Declaration.docx", buffer.getvalue())
    attachment = services.attachment_add(actor=alice, case=make_case(north), upload=upload)
    assert attachment.content_type.endswith("wordprocessingml.document")
    assert Intake.objects.count() == 0
