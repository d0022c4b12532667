"""The 287(g) import service: facts from ICE's real lists, lifecycle, idempotency,
out-of-order lists, pending-list semantics, rejected rows, hostile files, query counts."""

from __future__ import annotations

import datetime as dt
import io
import random
import time
import zipfile
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies import services
from agencies.importer.listdate import ListDateError, list_date_from_name
from agencies.models import (
    Agency,
    AgencyAlias,
    Agreement,
    AgreementChange,
    AgreementImport,
    AgreementPeriod,
    ImportStatus,
)
from agencies.selectors import agency_standings_on
from tests.agencies.conftest import (
    all_ice_lists,
    ice_file,
    needs_ice_files,
    participating_csv,
    pending_csv,
    run_list,
)

D = dt.date
pytestmark = pytest.mark.django_db


def directory_state() -> dict:
    """Agreements and their spells, by the agency's display name (the newest list's)."""
    periods = Counter()
    spells: dict[int, list] = {}
    for agreement_id, status, start, end in AgreementPeriod.objects.order_by(
        "start", "status"
    ).values_list("agreement_id", "status", "start", "end"):
        spells.setdefault(agreement_id, []).append((status, start, end))
        periods[agreement_id] += 1
    return {
        (a.agency.state, a.agency.name, a.model): (
            a.status,
            a.signed_on,
            a.ended_on,
            a.first_seen_on,
            a.last_seen_on,
            tuple(spells.get(a.pk, ())),
        )
        for a in Agreement.objects.select_related("agency")
    }


def agreement(name_part: str, model: str, state: str = "FL") -> Agreement:
    return Agreement.objects.get(
        agency__state=state, agency__name__icontains=name_part, model=model
    )


def spells(a: Agreement) -> list[tuple]:
    return list(a.periods.order_by("start").values_list("status", "start", "end"))


def kinds(a: Agreement) -> list[tuple]:
    """Its recorded changes, leaving out new MOA links."""
    changes = a.changes.exclude(kind="links").order_by("effective_on", "id")
    return list(changes.values_list("kind", "effective_on"))


# ------------------------------------------------------------------ facts from ICE's lists


@needs_ice_files
def test_june_2025_lists_give_649_active_78_pending_and_longboat_key_already_active():
    part = run_list(
        ice_file("participatingAgencies06062025am.xlsx").read_bytes(),
        "participatingAgencies06062025am.xlsx",
        D(2025, 6, 6),
    )
    pend = run_list(
        ice_file("pendingAgencies06062025am.xlsx").read_bytes(),
        "pendingAgencies06062025am.xlsx",
        D(2025, 6, 6),
    )
    active = Agreement.objects.filter(status="active")
    # ICE's "649" counts St. Cloud PD's TFM (FL) twice, under two spellings: one agreement.
    # Walker County (TX) is spelt "Sheriff's Department" (JEM) and "Sheriff's Office" (WSO):
    # one agency with two agreements. The import notes both spellings.
    assert active.count() == 648
    assert dict(Counter(active.values_list("model", flat=True))) == {
        "TFM": 314,
        "WSO": 232,
        "JEM": 102,
    }
    assert active.values("agency__state").distinct().count() == 40
    assert Agreement.objects.filter(status="pending").count() == 78
    assert (part.status, part.list_kind, part.created_count) == ("done", "participating", 648)
    merged = [n["agency"] for n in part.row_notes if "another spelling" in n["note"]]
    assert merged == ["St. Cloud Police Department", "Walker County Sheriff's Office"]
    assert (pend.status, pend.list_kind, pend.created_count) == ("done", "pending", 78)
    assert (pend.rejected_count, pend.already_active_count) == (0, 1)
    (note,) = [n for n in pend.row_notes if n["kind"] == "already_active"]
    assert note["agency"] == "Longboat Key Police Department" and note["model"] == "TFM"
    longboat = agreement("Longboat Key", "TFM")
    assert (longboat.status, longboat.signed_on) == ("active", D(2025, 4, 23))
    assert spells(longboat) == [("active", D(2025, 4, 23), None)]
    # The standings every detention snapshot reads come from the same periods.
    standing = agency_standings_on(agency_ids=[longboat.agency_id], on_date=D(2025, 6, 6))
    assert standing[longboat.agency_id].active == ("TFM",)


@needs_ice_files
def test_every_shared_list_in_date_order_tells_a_history_a_human_can_follow():
    runs = services.directory_load(paths=all_ice_lists())
    assert [r.status for r in runs] == ["done"] * len(runs)
    assert [r.list_date for r in runs] == sorted(r.list_date for r in runs)
    assert not any(r.backfilled for r in runs)

    # Cape Coral PD: pending on 6 June, signed 2 July, on the participating list of 18 July.
    cape = agreement("Cape Coral Police", "TFM")
    assert kinds(cape) == [("created", D(2025, 6, 6)), ("signed", D(2025, 7, 18))]
    assert spells(cape) == [
        ("pending", D(2025, 6, 6), D(2025, 7, 2)),
        ("active", D(2025, 7, 2), None),
    ]
    # Florida Fish and Wildlife's TFM left the July list and came back in September:
    # ended, then reopened; in force up to its last listing, the gap kept.
    fwc = Agreement.objects.get(agency__state="FL", agency__name__icontains="Fish", model="TFM")
    assert [k for k, _ in kinds(fwc)][-2:] == ["ended", "reopened"]
    assert spells(fwc) == [
        ("active", D(2025, 2, 14), D(2025, 6, 7)),
        ("active", D(2025, 9, 18), None),
    ]
    # Kerr County's JEM signed date was corrected on the July list.
    kerr = agreement("Kerr County", "JEM", state="TX")
    change = kerr.changes.get(kind="signed_date")
    assert (change.effective_on, change.before, change.after) == (
        D(2025, 7, 18),
        {"signed_on": "2025-05-06"},
        {"signed_on": "2025-05-02"},
    )
    # Butler County (OH): on the 2021 page, gone from the February 2025 page (four years
    # later: the end is unknown, not 2025-02-12), pending on 21 February, signed 24 February.
    butler = agreement("Butler County", "JEM", state="OH")
    assert [k for k, _ in kinds(butler)] == ["created", "ended", "pending", "signed"]
    assert spells(butler) == [
        ("active", D(2020, 6, 9), D(2021, 1, 14)),
        ("pending", D(2025, 2, 21), D(2025, 2, 24)),
        ("active", D(2025, 2, 24), None),
    ]
    # "Ft Myers Police Department" became "Fort Myers Police Department": one agency, one
    # agreement that never ended, the old spelling kept as an alias.
    fort = Agency.objects.get(state="FL", name__iregex=r"^(ft\.?|fort) myers police")
    assert AgencyAlias.objects.filter(agency=fort, name__icontains="Myers").exists()
    assert not fort.agreements.get(model="TFM").changes.filter(kind="ended").exists()
    # Hillsborough County Sheriff's Office exists in Florida and in New Hampshire.
    assert set(
        Agency.objects.filter(name__icontains="Hillsborough County Sheriff").values_list(
            "state", flat=True
        )
    ) == {"FL", "NH"}
    # Changes are tied to the list that showed them.
    july = next(r for r in runs if r.list_date == D(2025, 7, 18) and r.list_kind == "participating")
    assert july.changes.filter(kind="ended").count() == july.ended_count > 0


@needs_ice_files
def test_lists_in_any_order_reach_the_same_directory():
    names = [
        "participatingAgencies03172025pm.xlsx",
        "participatingAgencies06062025am.xlsx",
        "pendingAgencies06062025am.xlsx",
        "participatingAgencies07182025pm.xlsx",
        "pendingAgencies07182025pm.xlsx",
    ]
    dates = [D(2025, 3, 17), D(2025, 6, 6), D(2025, 6, 6), D(2025, 7, 18), D(2025, 7, 18)]
    files = [(ice_file(n).read_bytes(), n, on) for n, on in zip(names, dates, strict=True)]
    for data, name, on in files:
        run_list(data, name, on)
    in_order = directory_state()

    for model in (AgreementChange, AgreementPeriod, Agreement, AgencyAlias, Agency):
        model.objects.all().delete()
    AgreementImport.objects.all().delete()
    shuffled = files[:]
    random.Random(3).shuffle(shuffled)
    shuffled.sort(key=lambda f: f[2], reverse=True)  # newest first: every later one backfills
    runs = [run_list(*f) for f in shuffled]
    assert any(r.backfilled for r in runs)
    assert directory_state() == in_order


def test_demo_directory_loads_through_the_importer():
    runs = services.directory_load()
    assert [(r.list_date, r.list_kind, r.status) for r in runs] == [
        (D(2025, 3, 17), "participating", "done"),
        (D(2025, 6, 6), "participating", "done"),
        (D(2025, 6, 6), "pending", "done"),
        (D(2025, 7, 18), "participating", "done"),
        (D(2025, 7, 18), "pending", "done"),
    ]
    # The two-agency pattern: city police with TFM and the county sheriff with JEM.
    for state, county in (
        ("FL", "Lee County"),
        ("FL", "Collier County"),
        ("TX", "Montgomery County"),
    ):
        kinds_here = set(
            Agreement.objects.filter(
                status="active", agency__state=state, agency__county=county
            ).values_list("agency__kind", "model")
        )
        assert ("municipal_police", "TFM") in kinds_here and ("sheriff", "JEM") in kinds_here
    assert agreement("Cape Coral", "TFM").status == "active"
    assert agreement("Escambia", "WSO").status == "ended"
    # Loading it again changes nothing.
    again = services.directory_load()
    assert {r.status for r in again} == {"noop"}


# --------------------------------------------------------------------------- lifecycle


def test_pending_then_signed_then_ended_then_reopened():
    run_list(pending_csv([("FLORIDA", "Alpha Police Department", "TFM")]), "p.csv", D(2025, 3, 1))
    signed = participating_csv([("FLORIDA", "Alpha Police Department", "TFM", "3/10/2025")])
    run_list(signed, "a.csv", D(2025, 4, 1))
    alpha = agreement("Alpha", "TFM")
    assert (alpha.status, alpha.signed_on) == ("active", D(2025, 3, 10))
    other = participating_csv([("FLORIDA", "Beta Sheriff's Office", "JEM", "1/2/2025")])
    ended = run_list(other, "b.csv", D(2025, 5, 1))
    alpha.refresh_from_db()
    assert (alpha.status, alpha.ended_on, ended.ended_count) == ("ended", D(2025, 5, 1), 1)
    back = run_list(
        signed + b"FLORIDA,Gamma PD,Municipality,,Task Force Model,,\n", "c.csv", D(2025, 6, 1)
    )
    alpha.refresh_from_db()
    assert (alpha.status, alpha.ended_on) == ("active", None)
    assert kinds(alpha) == [
        ("created", D(2025, 3, 1)),
        ("signed", D(2025, 4, 1)),
        ("ended", D(2025, 5, 1)),
        ("reopened", D(2025, 6, 1)),
    ]
    assert spells(alpha) == [
        ("pending", D(2025, 3, 1), D(2025, 3, 10)),
        ("active", D(2025, 3, 10), D(2025, 4, 2)),  # last listed 1 April, gone by 1 May
        ("active", D(2025, 6, 1), None),
    ]
    standings = agency_standings_on(agency_ids=[alpha.agency_id], on_date=D(2025, 5, 15))
    assert standings[alpha.agency_id].active == () and standings[alpha.agency_id].ended == ("TFM",)
    assert (back.created_count, back.changed_count, back.ended_count) == (1, 1, 1)


def test_pending_list_never_ends_active_and_a_dropped_request_is_no_longer_pending():
    run_list(
        participating_csv([("TEXAS", "Delta County Sheriff's Office", "JEM", "1/5/2025")]),
        "a.csv",
        D(2025, 2, 1),
    )
    run_list(
        pending_csv(
            [
                ("TEXAS", "Delta County Sheriff's Office", "TFM"),
                ("TEXAS", "Echo Police Department", "TFM"),
            ]
        ),
        "p1.csv",
        D(2025, 2, 1),
    )
    later = run_list(
        pending_csv([("TEXAS", "Delta County Sheriff's Office", "TFM")]), "p2.csv", D(2025, 3, 1)
    )
    jem = agreement("Delta", "JEM", state="TX")
    echo = agreement("Echo", "TFM", state="TX")
    assert jem.status == "active"  # the pending list is not a list of agreements in force
    assert echo.status == "withdrawn" and echo.get_status_display() == "No longer pending"
    assert spells(echo) == [("pending", D(2025, 2, 1), D(2025, 2, 2))]
    assert (later.changed_count, later.ended_count) == (1, 0)
    standing = agency_standings_on(agency_ids=[echo.agency_id], on_date=D(2025, 3, 5))
    assert standing[echo.agency_id].pending == ()
    # Back on a pending list later: a new request.
    run_list(pending_csv([("TEXAS", "Echo Police Department", "TFM")]), "p3.csv", D(2025, 4, 1))
    echo.refresh_from_db()
    assert echo.status == "pending" and kinds(echo)[-1] == ("pending", D(2025, 4, 1))


def test_same_content_twice_is_a_noop_that_changes_nothing():
    data = participating_csv([("FLORIDA", "Alpha Police Department", "TFM", "3/10/2025")])
    first = run_list(data, "participatingAgencies04012025.csv", None)
    before = (directory_state(), AgreementChange.objects.count())
    again = run_list(data, "participatingAgencies04022025.csv", None)
    assert (first.status, again.status) == ("done", "noop")
    assert (directory_state(), AgreementChange.objects.count()) == before
    assert not again.upload and again.list_kind == "participating"
    # A second run of the same import is refused by its status (compare-and-set).
    assert services.agreement_import_run(import_id=first.pk) is None


def test_an_older_list_neither_ends_nor_revives_what_a_newer_list_established():
    newer = participating_csv(
        [
            ("FLORIDA", "Alpha Police Department", "TFM", "3/10/2025"),
            ("FLORIDA", "Beta Sheriff's Office", "JEM", ""),
        ]
    )
    older = participating_csv(
        [
            ("FLORIDA", "Alpha Police Department", "TFM", "3/10/2025"),
            ("FLORIDA", "Gamma Police Department", "TFM", "2/1/2025"),
        ]
    )
    run_list(newer, "new.csv", D(2025, 6, 1))
    late = run_list(older, "old.csv", D(2025, 5, 1))
    assert late.backfilled
    beta, gamma = agreement("Beta", "JEM"), agreement("Gamma", "TFM")
    # Beta is missing from the older list but on the newer one: still active.
    assert (beta.status, beta.first_seen_on) == ("active", D(2025, 6, 1))
    # Gamma is only on the older list: it existed then, and had ended by the newer list.
    assert (gamma.status, gamma.ended_on) == ("ended", D(2025, 6, 1))
    assert spells(gamma) == [("active", D(2025, 2, 1), D(2025, 5, 2))]
    assert agreement("Alpha", "TFM").first_seen_on == D(2025, 5, 1)
    assert (late.created_count, late.ended_count) == (1, 0)


def test_rejected_rows_are_reported_and_the_rest_imported():
    data = (
        b"STATE,LAW ENFORCEMENT AGENCY,TYPE,SUPPORT TYPE,SIGNED\n"
        b"FLORIDA,Alpha Police Department,Municipality,Task Force Model,3/10/2025\n"
        b"ATLANTIS,Nowhere Police Department,Municipality,Task Force Model,3/10/2025\n"
        b"FLORIDA,Beta Sheriff's Office,County,Interpretive Dance,3/10/2025\n"
    )
    run = run_list(data, "x.csv", D(2025, 4, 1))
    assert (run.status, run.created_count, run.rejected_count) == ("done", 1, 2)
    reasons = {row["row"]: row["reason"] for row in run.rejected_rows}
    assert reasons == {3: "unknown state 'ATLANTIS'", 4: "unknown model 'Interpretive Dance'"}
    assert run.rejected_rows[0]["values"]["STATE"] == "ATLANTIS"


def test_a_file_without_a_list_date_is_refused_before_anything_is_stored():
    with pytest.raises(ValidationError) as caught:
        services.agreement_imports_create(files=[("participating.xlsx", b"x")])
    assert "list_date" in caught.value.error_dict
    assert AgreementImport.objects.count() == 0


# ------------------------------------------------------------------------- hostile files


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


XLSX_SKELETON = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
    "xl/workbook.xml": b'<?xml version="1.0"?><workbook/>',
}
HOSTILE = {
    "not a workbook": (lambda: b"PK\x03\x04 this is not really a zip", "damaged"),
    "zip bomb": (
        lambda: _zip({**XLSX_SKELETON, "xl/worksheets/sheet1.xml": b"\0" * (60 << 20)}),
        "zip bomb",
    ),
    "xml entities": (
        lambda: _zip(
            {
                **XLSX_SKELETON,
                "xl/sharedStrings.xml": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">'
                b'<!ENTITY b "&a;&a;&a;">]><sst>&b;</sst>',
            }
        ),
        "entities",
    ),
    "macros": (lambda: _zip({**XLSX_SKELETON, "xl/vbaProject.bin": b"\0" * 64}), "macros"),
    "pdf": (lambda: b"%PDF-1.7 not a list", "PDF"),
    "huge csv line": (
        lambda: b"STATE,LAW ENFORCEMENT AGENCY\n" + b"A" * (1 << 20) + b"\n",
        "longer than",
    ),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_file_fails_fast_with_a_message_and_writes_nothing(case):
    build, words = HOSTILE[case]
    data = build()
    started = time.monotonic()
    run = run_list(data, "participatingAgencies06062025am.xlsx", D(2025, 6, 6))
    assert time.monotonic() - started < 2
    assert run.status == ImportStatus.FAILED and words in run.error
    assert not Agency.objects.exists() and not AgreementChange.objects.exists()


def test_a_100_mb_file_is_refused_at_the_door(settings):
    with pytest.raises(ValidationError, match="larger than"):
        services.agreement_import_create(
            data=b"S" * (settings.ICE_287G_MAX_BYTES + 1), filename="p06062025.csv"
        )
    assert not AgreementImport.objects.exists()


# ------------------------------------------------------------------------------ speed


def _synthetic(count: int, offset: int = 0) -> bytes:
    states = ["FLORIDA", "TEXAS", "GEORGIA", "OHIO"]
    return participating_csv(
        [
            (states[i % 4], f"Town {i + offset} Police Department", "TFM", f"{1 + i % 12}/3/2025")
            for i in range(count)
        ]
    )


@pytest.mark.parametrize("step", ["first list", "next list"])
def test_query_count_of_an_import_does_not_grow_with_its_rows(step):
    def queries(count: int) -> int:
        for model in (AgreementChange, AgreementPeriod, Agreement, AgencyAlias, Agency):
            model.objects.all().delete()
        AgreementImport.objects.all().delete()
        if step == "next list":
            run_list(_synthetic(count), "a.csv", D(2025, 6, 1))
        data = _synthetic(count, offset=count // 2)  # half new, half gone, half kept
        with CaptureQueriesContext(connection) as ctx:
            run_list(data, "b.csv", D(2025, 7, 1))
        return len(ctx.captured_queries)

    # SQLite caps a statement at 999 parameters, so Django splits bulk inserts of more
    # than ~80 rows there; PostgreSQL takes any size in one statement.
    big = 500 if connection.vendor == "postgresql" else 60
    assert queries(10) == queries(big)


# ------------------------------------------------------------------------- list dates


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("participatingAgencies06062025am.xlsx", D(2025, 6, 6)),
        ("pendingAgencies01082026am.xlsx", D(2026, 1, 8)),
        ("participatingAgencies__20250221.xlsx", D(2025, 2, 21)),
        ("participatingAgencies-20250221214937.xlsx", D(2025, 2, 21)),
        ("relevantresearch_ParticipatingEntities-20210113002027.xlsx", D(2021, 1, 13)),
        ("ice list 2025-07-18.csv", D(2025, 7, 18)),
        ("pending 7-18-2025.csv", D(2025, 7, 18)),
    ],
)
def test_list_date_from_file_name(name, expected):
    assert list_date_from_name(name, today=D(2026, 6, 1)) == expected


@pytest.mark.parametrize(
    "name",
    ["participatingAgencies0606202am.xlsx", "participating.xlsx", "list13402025.csv",
     "p 2025-01-01 2025-02-01.csv", "participatingAgencies06062031am.xlsx"],
)  # fmt: skip
def test_list_date_typos_ask_for_the_date(name):
    with pytest.raises(ListDateError, match="give the list's date"):
        list_date_from_name(name, today=D(2026, 6, 1))
