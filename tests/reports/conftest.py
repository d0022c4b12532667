"""A hand-built world for report tests: Q2 2025 against Q1 2025, two offices, four
agencies, an archived case, and client details that must never reach a quarterly PDF.

North (alice/bob), Q2 2025:
- 7 traffic stops arrested by Palm City PD (no agreement), held by Palm County SO
  (JEM); 5 with a detainer; two of them share one case (one client).
- 3 home arrests by Lake County SO (TFM), held there; 2 no prior record; 1 transferred
  to ICE 10 days later.
- 2 jail bookings by Harbor County SO (GA, WSO until 2025-05-15), released 3 and 5 days later.
South (carol/dave), Q2 2025:
- 6 workplace arrests by Palm County SO, held there; 3 bonds posted (7, 9, 11 days),
  1 removed.
North, Q1 2025: 4 traffic stops (Palm City PD / Palm County SO).
Archived North case with one Q2 event: never counted.
"""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.utils import timezone
from pypdf import PdfReader

from agencies.models import (
    AgreementChange,
    AgreementImport,
    AgreementStatus,
    ChangeKind,
    ImportStatus,
)
from cases.models import DetentionEvent, DetentionOutcome, Encounter, Intake
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    CaseFactory,
    ClientFactory,
    DetentionEventFactory,
)

SECRET_NAME = "Zyxwvutsrq"
SECRET_A_NUMBER = "A987654321"
SECRET_DOB = dt.date(1987, 7, 14)


def pdf_text(data: bytes) -> str:
    """All pages' text, whitespace collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _case(office, n, opened, **client):
    client = ClientFactory(
        given_names=f"{SECRET_NAME}{n}",
        a_number=f"A98765{n:04d}" if n else SECRET_A_NUMBER,
        date_of_birth=SECRET_DOB,
        **client,
    )
    return CaseFactory(office=office, client=client, opened_on=opened)


def _event(case, day, **fields):
    return DetentionEventFactory(case=case, event_date=day, **fields)


@pytest.fixture
def world(north, south, alice, bob, carol, dave, erin):
    palm_so = AgencyFactory(name="Palm County Sheriff's Office", county="Palm")
    palm_pd = AgencyFactory(
        name="Palm City Police Department", county="Palm", kind="municipal_police"
    )
    lake_so = AgencyFactory(name="Lake County Sheriff's Office", county="Lake")
    harbor_so = AgencyFactory(name="Harbor County Sheriff's Office", state="GA", county="Harbor")
    AgreementFactory(agency=palm_so, model="JEM", signed_on=dt.date(2025, 2, 1))
    tfm = AgreementFactory(agency=lake_so, model="TFM", signed_on=dt.date(2025, 4, 20))
    wso = AgreementFactory(
        agency=harbor_so,
        model="WSO",
        status=AgreementStatus.ENDED,
        signed_on=dt.date(2024, 6, 1),
        ended_on=dt.date(2025, 5, 15),
    )
    list_q1 = AgreementImport.objects.create(
        source="participating.xlsx",
        list_kind="participating",
        list_date=dt.date(2025, 3, 28),
        status=ImportStatus.DONE,
        content_hash="a" * 64,
    )
    list_q2 = AgreementImport.objects.create(
        source="participating-june.xlsx",
        list_kind="participating",
        list_date=dt.date(2025, 6, 6),
        status=ImportStatus.DONE,
        content_hash="b" * 64,
    )
    AgreementChange.objects.create(
        agreement_import=list_q2,
        agreement=tfm,
        kind=ChangeKind.CREATED,
        effective_on=dt.date(2025, 4, 20),
        after={"status": "active"},
    )
    AgreementChange.objects.create(
        agreement_import=list_q2,
        agreement=wso,
        kind=ChangeKind.ENDED,
        effective_on=dt.date(2025, 5, 15),
        before={"status": "active"},
        after={"status": "ended"},
    )

    n = iter(range(1, 1000))
    shared = _case(north, next(n), dt.date(2025, 4, 2))
    Intake.objects.create(
        case=shared, received_on=dt.date(2025, 4, 2), channel="hotline", narrative="x", staff=alice
    )
    for i in range(7):
        case = shared if i < 2 else _case(north, next(n), dt.date(2025, 4, 3 + i))
        _event(
            case,
            dt.date(2025, 4, 3 + i),
            encounter=Encounter.TRAFFIC_STOP,
            county="Palm",
            arresting_agency=palm_pd,
            custody_agency=palm_so,
            custody_jem=True,
            detainer_lodged=i < 5,
        )
    for i in range(3):
        _event(
            _case(north, next(n), dt.date(2025, 5, 1)),
            dt.date(2025, 5, 1 + i),
            encounter=Encounter.HOME,
            county="Lake",
            arresting_agency=lake_so,
            custody_agency=lake_so,
            arresting_tfm=True,
            custody_tfm=True,
            no_prior_record=i < 2,
            transferred_to_ice=i == 0,
            transfer_date=dt.date(2025, 5, 11) if i == 0 else None,
        )
    for i, days in enumerate((3, 5)):
        day = dt.date(2025, 5, 10 + i)
        _event(
            _case(north, next(n), day),
            day,
            encounter=Encounter.JAIL_BOOKING,
            state="GA",
            county="Harbor",
            arresting_agency=harbor_so,
            custody_agency=harbor_so,
            arresting_wso=True,
            custody_wso=True,
            outcome=DetentionOutcome.RELEASED,
            outcome_date=day + dt.timedelta(days=days),
        )
    for i in range(6):
        day = dt.date(2025, 6, 2 + i)
        outcome, outcome_date = DetentionOutcome.STILL_DETAINED, None
        if i < 3:
            outcome, outcome_date = DetentionOutcome.BOND_POSTED, day + dt.timedelta(days=7 + 2 * i)
        elif i == 3:
            outcome, outcome_date = DetentionOutcome.REMOVED, day + dt.timedelta(days=30)
        _event(
            _case(south, next(n), day),
            day,
            encounter=Encounter.WORKPLACE,
            county="Palm",
            arresting_agency=palm_so,
            custody_agency=palm_so,
            arresting_jem=True,
            custody_jem=True,
            outcome=outcome,
            outcome_date=outcome_date,
        )
    for i in range(4):
        day = dt.date(2025, 2, 3 + i)
        _event(
            _case(north, next(n), day),
            day,
            encounter=Encounter.TRAFFIC_STOP,
            county="Palm",
            arresting_agency=palm_pd,
            custody_agency=palm_so,
            custody_jem=True,
        )
    archived = _case(north, next(n), dt.date(2025, 4, 1))
    archived.archived_at = timezone.now()
    archived.save()
    _event(archived, dt.date(2025, 4, 15), encounter=Encounter.HOME, arresting_agency=palm_so)
    return SimpleNamespace(
        north=north,
        south=south,
        alice=alice,
        bob=bob,
        carol=carol,
        dave=dave,
        erin=erin,
        palm_so=palm_so,
        palm_pd=palm_pd,
        lake_so=lake_so,
        harbor_so=harbor_so,
        lists=(list_q1, list_q2),
        shared_case=shared,
    )


def q2_events():
    """Independent of the report code: Q2 2025 events of live cases."""
    return DetentionEvent.objects.filter(
        event_date__gte=dt.date(2025, 4, 1),
        event_date__lte=dt.date(2025, 6, 30),
        case__archived_at__isnull=True,
    )


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def make_done_report(media):
    """A finished report with small stand-in files, without rendering (fast)."""
    from django.core.files.base import ContentFile

    from reports.models import Report, ReportStatus

    def make(user, kind="quarterly", params=None, case_ids=(), title="Test report"):
        report = Report(
            kind=kind,
            params=params or {},
            title=title,
            requested_by=user,
            status=ReportStatus.DONE,
            checksum="0" * 64,
            page_count=1,
            case_ids=list(case_ids),
        )
        report.pdf.save("r.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
        report.xlsx.save("r.xlsx", ContentFile(b"xlsx"), save=False)
        report.csv_zip.save("r.zip", ContentFile(b"zip"), save=False)
        report.save()
        return report

    return make


def render_now(actor, kind, params, capture):
    """Request a report and run its task (eager) as the commit would."""
    from reports.services import report_request

    with capture(execute=True):
        report = report_request(actor=actor, kind=kind, params=params)
    report.refresh_from_db()
    assert report.status == "done", report.error
    return report
