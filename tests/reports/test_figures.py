"""The numbers in rendered PDFs, read back with pypdf, against independent ORM queries.

Each test renders one report (about a second) and checks everything about it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import statistics
import zipfile
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict

from agencies.models import AgreementPeriod
from cases.filters import CaseFilterSet, DetentionEventFilterSet
from cases.models import Case, DetentionEvent
from cases.selectors import cases_visible, events_visible
from tests.reports.conftest import (
    SECRET_A_NUMBER,
    SECRET_DOB,
    SECRET_NAME,
    pdf_text,
    q2_events,
    render_now,
)

pytestmark = pytest.mark.django_db

Q2 = {"year": 2025, "quarter": 2}


def figures(text: str, label: str, n: int = 3) -> list[str]:
    """The n tokens printed after a row label in the PDF text."""
    match = re.search(re.escape(label) + r"((?: \S+){" + str(n) + "})", text)
    assert match, f"{label!r} not found in the PDF text"
    return match.group(1).split()


def shown(n: int, threshold: int = 5, base: int = 5) -> str:
    """Written independently of reports.figures.base: "<threshold" or rounded, halves up."""
    if n < threshold:  # zero included
        return f"<{threshold}"
    rounded = int(n / base + 0.5) * base
    return f"{rounded:,}"


def test_quarterly_figures_reconcile_with_the_database(world, django_capture_on_commit_callbacks):
    report = render_now(world.erin, "quarterly", Q2, django_capture_on_commit_callbacks)
    text = pdf_text(report.pdf.read())

    q2 = q2_events()
    q1 = DetentionEvent.objects.filter(
        event_date__gte=dt.date(2025, 1, 1), event_date__lte=dt.date(2025, 3, 31)
    )
    live_cases = Case.objects.filter(archived_at__isnull=True)
    assert figures(text, "Detention events (arrests and bookings)") == [
        shown(q2.count()),
        shown(q1.count()),
        "—",
    ]
    assert figures(text, "Cases with a detention")[0] == shown(
        q2.values("case_id").distinct().count()
    )
    assert figures(text, "New cases opened")[0] == shown(
        live_cases.filter(opened_on__range=(dt.date(2025, 4, 1), dt.date(2025, 6, 30))).count()
    )
    assert figures(text, "ICE detainers lodged") == [
        shown(q2.filter(detainer_lodged=True).count()),
        "<5",  # 0: suppressed like any small count
        "—",
    ]
    assert figures(text, "Removed", 1) == [shown(q2.filter(outcome="removed").count())]

    # Breakdowns: model in force, encounter, agency (either role).
    assert figures(text, "Jail Enforcement Model (JEM)", 2) == [
        shown(q2.filter(arresting_jem=True).count()),
        shown(q2.filter(custody_jem=True).count()),
    ]
    none_at_arrest = q2.filter(arresting_tfm=False, arresting_jem=False, arresting_wso=False)
    assert figures(text, "No 287(g) agreement", 1) == [shown(none_at_arrest.count())]
    assert figures(text, "Traffic stop", 1) == [shown(q2.filter(encounter="traffic_stop").count())]
    assert figures(text, "Home", 1) == ["<5"]
    palm = world.palm_so
    either = q2.filter(arresting_agency=palm) | q2.filter(custody_agency=palm)
    assert figures(text, "Palm County Sheriff's Office FL") == [
        shown(either.distinct().count()),
        shown(q2.filter(arresting_agency=palm).count()),
        shown(q2.filter(custody_agency=palm).count()),
    ]

    # Medians need 10 values: 5 releases and 1 transfer are too few.
    released = q2.filter(outcome__in=["released", "bond_posted"], outcome_date__isnull=False)
    assert released.count() < 10
    assert figures(text, "Days from arrest to release (released or bond posted)", 4) == [
        "not",
        "shown",
        "(n",
        "<",
    ]

    # Directory context: active periods covering the first and last day, and changes.
    def active_on(day):
        return (
            AgreementPeriod.objects.filter(status="active", start__lte=day)
            .exclude(end__lte=day)
            .count()
        )

    row = figures(text, "All models", 4)
    assert row[:2] == [str(active_on(dt.date(2025, 4, 1))), str(active_on(dt.date(2025, 6, 30)))]
    assert row[2:] == ["1", "1"]  # Lake TFM listed active, Harbor WSO ended
    assert "28 March 2025 — participating agencies list" in text
    assert "6 June 2025 — participating agencies list" in text

    # Typesetting: running marking and page numbers on every page.
    assert f"Page {report.page_count} of {report.page_count}" in text
    assert text.count("DE-IDENTIFIED") >= report.page_count


def test_quarterly_links_reproduce_each_figure(world, django_capture_on_commit_callbacks):
    """Each printed URL, fed to the case list's FilterSet, counts what the PDF shows."""
    report = render_now(world.bob, "quarterly", Q2, django_capture_on_commit_callbacks)
    text = pdf_text(report.pdf.read())
    pairs = re.findall(
        r"([A-Z][A-Za-z][^:,]+), (?:Q[12]|April|May|June|January|February|March) 2025: (\S+) "
        r"(http://\S+/cases/(?:events/)?\?\S+)",
        text,
    )
    assert len(pairs) >= 20
    for label, value, url in pairs:
        n = listed(world.bob, url)
        assert value == shown(n) or (value == "*" and n >= 0), (label, url)
    # bob (North attorney) sees North only: 12 of the 18 Q2 events.
    north = q2_events().filter(case__office=world.north).count()
    # Secondary suppression across the office family can withhold even this total ("*").
    assert figures(text, "Detention events (arrests and bookings)", 1)[0] in (shown(north), "*")
    events_url = next(u for label, _v, u in pairs if label.startswith("Detention events ("))
    assert listed(world.bob, events_url) == north == 12
    assert "Quarterly report Q2 2025 — North Office" in text


def listed(user, url: str) -> int:
    """How many records the case list (or event list) shows `user` at `url`."""
    params = QueryDict(urlsplit(url).query)
    events = "/cases/events/" in url
    filterset = (DetentionEventFilterSet if events else CaseFilterSet)(
        params, queryset=(events_visible if events else cases_visible)(user=user)
    )
    assert filterset.is_valid(), filterset.errors
    return filterset.qs.count()


def test_every_linked_figure_is_what_its_link_lists(world):
    """Every count in every table that carries a link, against the list it opens: the
    same number, rounded; a suppressed one is below the threshold (or withheld)."""
    from reports.figures import report_content

    content = report_content(kind="quarterly", user=world.erin, params=Q2)
    checked = 0
    for table in content["tables"]:
        for row in table.rows:
            for cell in row:
                if not cell.url or table.key == "durations":
                    continue  # medians and shares: not counts
                n = listed(world.erin, cell.url)
                if cell.text == "*":
                    assert n > 0, (table.key, cell.url)
                else:
                    assert cell.text == shown(n), (table.key, [c.text for c in row], cell.url)
                checked += 1
    assert checked >= 40
    blank = [r for r in content["counties"].rows if r[1].text == "(county not recorded)"]
    assert all(r[2].url for r in blank)


def test_quarterly_is_deidentified_in_pdf_and_companions(
    world, django_capture_on_commit_callbacks, settings
):
    settings.REPORT_SUPPRESSION_THRESHOLD = 3
    settings.REPORT_MEDIAN_MIN_N = 3
    report = render_now(world.erin, "quarterly", Q2, django_capture_on_commit_callbacks)
    text = pdf_text(report.pdf.read())
    with zipfile.ZipFile(report.csv_zip.open("rb")) as archive:
        companions = " ".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
    for leak in (SECRET_NAME, SECRET_A_NUMBER, "A98765", SECRET_DOB.isoformat(), "Ficticia"):
        assert leak not in text
        assert leak not in companions
    assert "PRIVILEGED" not in text
    # The threshold is configurable: Q1's 4 events now print (rounded to 5), 2 jail
    # bookings do not, and the change is worked out from the printed counts.
    assert figures(text, "Detention events (arrests and bookings)", 4) == [
        "20",
        "5",
        "+15",
        "(+300%)",
    ]
    assert figures(text, "Jail booking", 1) == ["<3"]
    assert figures(text, "Home", 1) == ["5"]  # 3, rounded
    # A median over 5 releases prints once the minimum n allows, with n rounded.
    released = q2_events().filter(outcome__in=["released", "bond_posted"])
    days = [(e.outcome_date - e.event_date).days for e in released]
    assert f"{statistics.median(days):g} days (n ≈ 5)" in text
    assert "counts below 3 shown as “<3”".upper() in text.upper()
    with zipfile.ZipFile(report.csv_zip.open("rb")) as archive:
        headline = next(n for n in archive.namelist() if n.endswith("headline.csv"))
        rows = list(csv.reader(io.StringIO(archive.read(headline).decode("utf-8-sig"))))
    removed = next(r for r in rows if r[0] == "Removed")
    assert removed[1] == "<3"  # suppressed in the CSV too, never the exact 1
    assert removed[-2].startswith("http://")  # each value's case-list link


def test_agency_pattern_report(world, django_capture_on_commit_callbacks, settings):
    settings.REPORT_LISTING_CAP = 5
    params = {
        "agencies": [str(world.palm_so.public_id), str(world.lake_so.public_id)],
        "date_after": "2025-01-01",
        "date_before": "2025-06-30",
    }
    report = render_now(world.bob, "agency_pattern", params, django_capture_on_commit_callbacks)
    text = pdf_text(report.pdf.read())
    assert text.count("PRIVILEGED & CONFIDENTIAL") >= report.page_count

    visible = DetentionEvent.objects.filter(
        case__office=world.north,
        case__archived_at__isnull=True,
        event_date__range=(dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
    )
    palm = visible.filter(arresting_agency=world.palm_so) | visible.filter(
        custody_agency=world.palm_so
    )
    lake = visible.filter(arresting_agency=world.lake_so) | visible.filter(
        custody_agency=world.lake_so
    )
    palm, lake = palm.distinct(), lake.distinct()
    assert figures(text, "Palm County Sheriff's Office FL", 6) == [
        str(palm.count()),
        str(palm.filter(arresting_agency=world.palm_so).count()),
        str(palm.filter(custody_agency=world.palm_so).count()),
        str(palm.filter(detainer_lodged=True).count()),
        str(palm.filter(no_prior_record=True).count()),
        "0",
    ]
    # Lake (3 events) is listed; Palm (11) exceeds the cap of 5: CSV/XLSX only.
    for event in lake.select_related("case"):
        assert event.case.number in text
    assert f"{palm.count()} events: more than the listing cap of 5" in text
    with zipfile.ZipFile(report.csv_zip.open("rb")) as archive:
        listing = next(n for n in archive.namelist() if "palm" in n and n.endswith("events.csv"))
        rows = list(csv.reader(io.StringIO(archive.read(listing).decode("utf-8-sig"))))
    assert len(rows) - 1 == palm.count()
    # Other offices' cases and client names stay out (names are off by default).
    south_numbers = Case.objects.filter(office=world.south).values_list("number", flat=True)
    assert not any(number in text for number in south_numbers)
    assert SECRET_NAME not in text
    # Manifest: the checksum of the sorted ids of the events used.
    ids = sorted({str(e.public_id) for e in palm} | {str(e.public_id) for e in lake})
    assert hashlib.sha256("\n".join(ids).encode()).hexdigest() in text.replace(" ", "")
    assert report.manifest["record_count"] == len(ids)


def test_case_chronology(world, django_capture_on_commit_callbacks):
    case = world.shared_case
    report = render_now(
        world.bob,
        "case_chronology",
        {"case": str(case.public_id)},
        django_capture_on_commit_callbacks,
    )
    text = pdf_text(report.pdf.read())
    assert "PRIVILEGED & CONFIDENTIAL" in text
    assert case.number in text and case.client.full_name in text
    events = case.detention_events.all()
    assert text.count("Detention: Traffic stop") == events.count()
    assert text.count("ICE detainer lodged") == events.filter(detainer_lodged=True).count()
    assert "JEM signed 2025-02-01" in text  # Palm County SO's agreement at the booking
    assert report.case_ids == [case.pk]


def test_agency_pattern_names_clients_only_when_asked(world):
    from reports.figures import report_content

    params = {
        "agencies": [str(world.lake_so.public_id)],
        "date_after": "2025-01-01",
        "date_before": "2025-06-30",
    }
    for include, expected in ((False, False), (True, True)):
        content = report_content(
            kind="agency_pattern", user=world.bob, params={**params, "include_names": include}
        )
        listing = content["sections"][0]["listing"]
        assert ("Client" in listing.columns) is expected
        names = {cell.text for row in listing.rows for cell in row}
        assert any(SECRET_NAME in name for name in names) is expected


def test_quarter_before_the_first_list_says_it_is_reconstructed(
    world, django_capture_on_commit_callbacks
):
    """Q1 2025 ends before the first imported list (28 March 2025 is inside it, so Q4 2024):
    the note names the list and says agreements are reconstructed; the manifest carries
    the record checksum, never the exact number of events."""
    report = render_now(
        world.erin, "quarterly", {"year": 2024, "quarter": 4}, django_capture_on_commit_callbacks
    )
    text = pdf_text(report.pdf.read())
    assert "No ICE list import covers this quarter" not in text
    assert "Before the first imported ICE list (dated 28 March 2025)" in text
    assert "reconstructed from the signed and end dates" in text
    ids = DetentionEvent.objects.filter(
        event_date__range=(dt.date(2024, 7, 1), dt.date(2024, 12, 31)), case__archived_at=None
    ).values_list("id", flat=True)
    expected = hashlib.sha256("\n".join(sorted(f"event {i}" for i in ids)).encode()).hexdigest()
    assert report.manifest["record_checksum"] == expected
    assert "record_count" not in report.manifest
    assert f"Record checksum: {expected}" in text


def test_agency_pattern_history_cites_the_lists_behind_each_period(world):
    """An attorney attaches the agency report: each period says which ICE list shows it and
    how its end is known."""
    from reports.figures import report_content

    period = world.lake_so.agreements.get().periods.get()
    period.listed_from = period.last_listed = dt.date(2025, 5, 2)
    period.gone_by, period.end_unknown = dt.date(2025, 9, 18), True
    period.signed_on = dt.date(2025, 4, 20)  # before its first listing: extends it back
    period.listings = [
        {"on": "2025-05-02", "file": "participating-2025-05-02.xlsx", "row": 12, "signed": ""}
    ]
    period.save()
    params = {
        "agencies": [str(world.lake_so.public_id)],
        "date_after": "2025-01-01",
        "date_before": "2025-06-30",
    }
    content = report_content(kind="agency_pattern", user=world.bob, params=params)
    rows = [[cell.text for cell in row] for row in content["sections"][0]["history"].rows]
    evidence = [row[-1] for row in rows if row[3] == "active period"]
    assert evidence == [
        "per ICE's signed date 2025-04-20, not yet listed (first on the ICE participating list "
        "of 2025-05-02, participating-2025-05-02.xlsx row 12); last listed 2025-05-02, gone by "
        "2025-09-18 (lists 139 days apart: end date unknown)"
    ]
