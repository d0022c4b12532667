"""ICE 287(g) list parser: real ICE workbooks, crafted edge cases and hostile files.

Real files are read from shared/data/ice287g beside the repository (see its SOURCES.md);
those tests skip when it is absent. No database or Django settings are needed.
"""

from __future__ import annotations

import csv
import io
import os
import random
import struct
import time
import zipfile
from collections import Counter
from datetime import date, datetime
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

from agencies.importer.normalize import (
    agency_match_key,
    clean_text,
    normalize_kind,
    normalize_model,
    normalize_state,
    parse_signed,
    unwrap_safelinks,
)
from agencies.importer.parser import ImportFileError, ParsedList, parse_file

REPO_ROOT = Path(__file__).resolve().parents[2]
ICE_DATA = Path(os.environ.get("ICE287G_DATA", REPO_ROOT.parent / "shared" / "data" / "ice287g"))
ORIGINALS = ICE_DATA / "ice_originals"
DERIVED = ICE_DATA / "derived"

needs_ice_files = pytest.mark.skipif(
    not ORIGINALS.is_dir(), reason=f"real ICE 287(g) workbooks not found at {ICE_DATA}"
)

# SOURCES.md's table: file → non-empty data rows.
ORIGINAL_ROW_COUNTS = {
    "participatingAgencies__20250221.xlsx": 151,
    "pendingAgencies__20250221.xlsx": 41,
    "participatingAgencies03172025pm.xlsx": 360,
    "participatingAgencies06062025am.xlsx": 649,
    "pendingAgencies06062025am.xlsx": 79,
    "participatingAgencies07182025pm.xlsx": 832,
    "pendingAgencies07182025pm.xlsx": 26,
    "participatingAgencies09182025pm.xlsx": 1000,
    "pendingAgencies01082026am.xlsx": 6,
}
HTML_ERA_ROW_COUNTS = {
    "relevantresearch_ParticipatingEntities-20210113002027.xlsx": 150,
    "relevantresearch_ParticipatingEntities-20250212170345.xlsx": 135,
}
SAFELINK = "https://gcc02.safelinks.protection.outlook.com/?url={}&data=05%7C02&reserved=0"


@cache
def parsed(path: Path) -> ParsedList:
    return parse_file(path.read_bytes(), filename=path.name)


# ------------------------------------------------------------------ real ICE files


@needs_ice_files
def test_every_original_parses_with_sources_md_row_count():
    assert sorted(p.name for p in ORIGINALS.glob("*.xlsx")) == sorted(ORIGINAL_ROW_COUNTS)
    for name, expected in ORIGINAL_ROW_COUNTS.items():
        result = parsed(ORIGINALS / name)
        assert (len(result.rows), len(result.rejected)) == (expected, 0), name
        assert result.layout == "xlsx-2025"
        assert result.list_kind == ("pending" if name.startswith("pending") else "participating")


@needs_ice_files
def test_june_2025_participating_list_facts():
    result = parsed(ORIGINALS / "participatingAgencies06062025am.xlsx")
    assert len(result.rows) == 649
    assert not result.rejected
    assert Counter(row.model for row in result.rows) == {"TFM": 315, "WSO": 232, "JEM": 102}
    assert len({row.state for row in result.rows}) == 40
    assert result.sheet_name == "Sheet1"
    assert result.headers == [
        "STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED", "MOA"
    ]  # fmt: skip
    fixed = next(row for row in result.rows if row.row_number == 618)
    assert fixed.signed == date(2025, 5, 8)
    assert fixed.warnings == ["signed date '05/082025' read as 2025-05-08"]


@needs_ice_files
def test_june_2025_pending_list_and_longboat_key_in_both():
    pending = parsed(ORIGINALS / "pendingAgencies06062025am.xlsx")
    participating = parsed(ORIGINALS / "participatingAgencies06062025am.xlsx")
    assert (len(pending.rows), pending.list_kind) == (79, "pending")
    for result in (pending, participating):
        hits = [r for r in result.rows if r.agency_name == "Longboat Key Police Department"]
        assert [(r.state, r.model, r.kind) for r in hits] == [("FL", "TFM", "municipal_police")]
    alabama = [r for r in pending.rows if r.agency_name == "Franklin County Sheriff's Office"]
    assert alabama[0].state == "AL"  # the sheet says "AlABAMA"


@needs_ice_files
def test_html_era_derived_workbooks():
    for name, expected in HTML_ERA_ROW_COUNTS.items():
        result = parsed(DERIVED / name)
        assert (len(result.rows), len(result.rejected)) == (expected, 0), name
        assert (result.layout, result.list_kind) == ("html-era", "participating")
        assert all(row.signed and row.moa_url for row in result.rows)
    first = parsed(DERIVED / "relevantresearch_ParticipatingEntities-20210113002027.xlsx").rows[0]
    assert (first.state, first.model, first.signed) == ("AL", "JEM", date(2016, 6, 8))


@needs_ice_files
def test_links_are_plain_https_without_safelinks():
    urls = [
        url
        for name in ORIGINAL_ROW_COUNTS
        for row in parsed(ORIGINALS / name).rows
        for url in (row.moa_url, row.addendum_url)
        if url
    ]
    assert len(urls) > 2000
    assert all(url.startswith("https://") and "safelinks" not in url for url in urls)
    july = parsed(ORIGINALS / "participatingAgencies07182025pm.xlsx")
    colbert = next(
        r for r in july.rows if r.agency_name.startswith("Colbert County") and r.model == "WSO"
    )
    assert colbert.moa_url == (
        "https://www.ice.gov/doclib/287gMOA/ColbertCoSheriffsOfficeAL_WSO_MOA_05.08.25.pdf"
    )
    assert sum(1 for r in july.rows if r.addendum_url) == 39


@needs_ice_files
def test_impossible_and_mistyped_signed_dates_are_warnings_not_rejections():
    july = {
        r.row_number: r for r in parsed(ORIGINALS / "participatingAgencies07182025pm.xlsx").rows
    }
    assert july[639].signed is None
    assert "impossible signed date '5025-07-07'" in july[639].warnings
    assert july[775].signed == date(2025, 7, 7)


@needs_ice_files
def test_hillsborough_sheriff_keeps_distinct_states():
    rows = parsed(ORIGINALS / "participatingAgencies06062025am.xlsx").rows
    key = agency_match_key("Hillsborough County Sheriff's Office")
    hits = {(r.state, r.model) for r in rows if agency_match_key(r.agency_name) == key}
    assert hits == {("FL", "TFM"), ("FL", "WSO"), ("NH", "TFM")}


@needs_ice_files
def test_participating_list_filed_under_a_pending_name_is_still_participating():
    data = (ORIGINALS / "participatingAgencies09182025pm.xlsx").read_bytes()
    result = parse_file(data, filename="pendingAgencies09182025pm.xlsx")
    assert result.list_kind == "participating"
    assert parse_file(data, filename="x.xlsx", list_kind="pending").list_kind == "pending"


# ------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ALABAMA", "AL"), ("AlABAMA", "AL"), ("PENNSLYVANIA", "PA"), ("TEXAS ", "TX"),
        ("MASACHUSETTS", "MA"), ("tx", "TX"), ("GUAM", "GU"), ("NORTHERN MARIANA ISLANDS", "MP"),
        ("PUERTO RICO", "PR"), ("VIRGIN ISLANDS", "VI"), ("U.S. Virgin Islands", "VI"),
        ("AMERICAN SAMOA", "AS"), ("District of Columbia", "DC"), ("D.C.", "DC"),
        ("State of New York", "NY"), ("WEST VIRGINIA", "WV"), ("", None), ("#N/A", None),
        ("NARNIA", None), ("CAROLINA", None), ("DAKOTA", None), ("XX", None),
    ],
)  # fmt: skip
def test_normalize_state(text, code):
    assert normalize_state(text) == code


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("Jail Enforcement Model", "JEM"), ("Task Force Model ", "TFM"),
        ("Warrant  Service Officer", "WSO"), ("warrant service officers", "WSO"),
        ("TFM", "TFM"), ("J.E.M.", "JEM"), ("Task Froce Model", "TFM"),
        ("Warrent Service Oficer", "WSO"), ("Jail / Task Force", None), ("", None),
        ("287(g)", None),
    ],
)  # fmt: skip
def test_normalize_model(text, model):
    assert normalize_model(text) == model


@pytest.mark.parametrize(
    ("type_text", "name", "kind"),
    [
        ("County", "Etowah County Sheriff's Office", "sheriff"),
        ("Municipality", "Hopewell County Sheriff's Office", "sheriff"),
        ("Municipality", "Longboat Key Police Department", "municipal_police"),
        ("Muncipality", "Kodiak Police Department", "municipal_police"),
        ("County", "Nassau County Police Department", "county_police"),
        ("State Agency", "Wyoming State Highway Patrol", "state_police"),
        ("State", "Georgia Department of Public Safety", "state_police"),
        ("Municipality", "Indian Creek Village Department of Public Safety", "municipal_police"),
        ("State Agency", "Florida Department of Corrections", "corrections"),
        ("", "Department of Corrections", "corrections"),
        ("State Agency", "University of Florida Police Department", "university"),
        ("State", "District Board of Trustees of Pensacola State College", "university"),
        ("#NA", "Cherokee Nation Marshal Service", "tribal"),
        ("State Agency", "Texas National Guard", "state_agency"),
        ("County", "Lancaster County District Attorney's Office", "other"),
    ],
)  # fmt: skip
def test_normalize_kind(type_text, name, kind):
    assert normalize_kind(type_text, name) == kind


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        ("Miami-Dade Corrections and Rehabilitation", "Miami Dade Corrections & Rehabilitation",
         True),
        ("Hillsborough County Sheriff's Office", "Hillsborough County Sheriffs Office", True),
        ("Hillsborough County Sheriff’s Office", " hillsborough  county   SHERIFF'S office ", True),
        ("Polk Co. Sheriff's Office", "Polk County S.O.", True),
        ("Oklahoma Dept. of Public Safety", "Oklahoma Department of Public Safety", True),
        ("Fort Myers PD", "Fort Myers Police Department", True),
        ("St. Johns County Sheriff's Office", "Saint Johns County Sheriff's Office", True),
        ("Doña Ana County Sheriff's Office", "Dona Ana County Sheriff's Office", True),
        ("Jackson County Sheriff's Office", "Jackson County Sheriff's Department", False),
        ("Fort Myers Police Department", "Fort Myers Beach Police Department", False),
        ("Lake County Sheriff's Office", "Lake County Police Department", False),
        ("Hillsborough County Sheriff's Office", "Hillsboro County Sheriff's Office", False),
        ("Galveston County Constable Pct.1", "Galveston County Constable Pct. 4", False),
        ("Miami-Dade Corrections and Rehabilitation", "Miami-Dade County Corrections", False),
    ],
)  # fmt: skip
def test_agency_match_key(left, right, same):
    assert (agency_match_key(left) == agency_match_key(right)) is same
    assert agency_match_key("Hillsborough County Sheriff’s Office") == (
        "hillsborough county sheriffs office"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), ("  a \n b\xa0 ", "a b"), ("#N/A", ""), ("#NA", ""), ("n/a", ""), (7, "7")],
)
def test_clean_text(value, text):
    assert clean_text(value) == text


def test_unwrap_safelinks():
    plain = "https://www.ice.gov/doclib/287gMOA/a.pdf"
    once = SAFELINK.format("https%3A%2F%2Fwww.ice.gov%2Fdoclib%2F287gMOA%2Fa.pdf")
    twice = SAFELINK.format(once.replace("%", "%25").replace("&", "%26").replace("?", "%3F"))
    assert unwrap_safelinks(once) == unwrap_safelinks(twice) == plain
    assert unwrap_safelinks(plain.replace("https", "http")) == plain
    assert unwrap_safelinks("https://www.ice.gov/a b.pdf") == "https://www.ice.gov/a%20b.pdf"
    acrobat = "chrome-extension://efaidnbmnnnibpcajpcglclefindmkaj/https:/www.ice.gov/a.pdf"
    assert unwrap_safelinks(acrobat) == "https://www.ice.gov/a.pdf"
    for bad in (
        SAFELINK.format("javascript%3Aalert(1)"), "https://nam.safelinks.protection.outlook.com/",
        "javascript:alert(1)", "file:///etc/passwd", "https://", "link", "",
        "https://user@evil.example@ice.gov/x",
    ):  # fmt: skip
        assert unwrap_safelinks(bad) is None, bad


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2025, 5, 8, 0, 0), (date(2025, 5, 8), None)), (45785, (date(2025, 5, 8), None)),
        (date(2020, 6, 9), (date(2020, 6, 9), None)), ("45785", (date(2025, 5, 8), None)),
        ("5/8/2025", (date(2025, 5, 8), None)), ("05/08/25", (date(2025, 5, 8), None)),
        ("2025-05-08", (date(2025, 5, 8), None)), ("May 8, 2025", (date(2025, 5, 8), None)),
        ("05/082025", (date(2025, 5, 8), "signed date '05/082025' read as 2025-05-08")),
        ("7/72025", (date(2025, 7, 7), "signed date '7/72025' read as 2025-07-07")),
        (datetime(5025, 7, 7), (None, "impossible signed date '5025-07-07'")),
        ("1/1/1990", (None, "impossible signed date '1/1/1990'")),
        (12, (None, "impossible signed date '12'")),
        ("13/45/2025", (None, "unreadable signed date '13/45/2025'")),
        ("soon", (None, "unreadable signed date 'soon'")), (None, (None, None)), ("", (None, None)),
    ],
)  # fmt: skip
def test_parse_signed(value, expected):
    assert parse_signed(value) == expected


def test_parse_signed_respects_list_date():
    june6 = date(2025, 6, 6)
    assert parse_signed("2025-06-06", list_date=june6) == (june6, None)
    assert parse_signed("2025-06-07", list_date=june6) == (
        None, "impossible signed date '2025-06-07'"
    )  # fmt: skip


# ---------------------------------------------------------- crafted workbooks and CSV

HEADERS_2025 = ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED",
                "MOA", "ADDENDUM"]  # fmt: skip


def make_workbook(rows: list[list[object]], *, links: dict[str, str] | None = None) -> bytes:
    """An ICE-shaped workbook with the traps seen in real files (summary sheet first,
    saved filter with hidden rows, formatted-empty rows, unnamed empty columns)."""
    workbook = openpyxl.Workbook()
    summary = workbook.active
    summary.title = "Summary"
    summary.append(["Total agreements", len(rows)])
    sheet = workbook.create_sheet("Agencies")
    sheet.append([*HEADERS_2025, None, None])
    for row in rows:
        sheet.append(row)
    for ref, target in (links or {}).items():
        sheet[ref].hyperlink = target
    sheet.auto_filter.ref = f"A1:H{len(rows) + 1}"
    sheet.row_dimensions[3].hidden = True
    for column in "ABCDEFGHIJ":  # formatted but empty rows and columns after the data
        sheet[f"{column}{len(rows) + 5}"].number_format = "mm/dd/yyyy"
    sheet[f"J{len(rows) + 1}"].font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CRAFTED_ROWS = [
    ["FLORIDA", "Bay County Sheriff's Office", "County", "Bay County", "Task Force Model",
     datetime(2025, 2, 20), "link", "link"],
    ["TEXAS ", "Hidden Row PD", "Municipal", "#N/A", "Jail Enforcement Model ",
     datetime(2025, 3, 1), "link pending", None],
    ["NARNIA", "Some Office", "County", "", "Task Force Model", None, None, None],
    ["FLORIDA", "", "County", "", "Task Force Model", None, None, None],
    ["FLORIDA", "Odd Agency", "Federal", "", "Space Force Model", None, None, None],
    ["FLORIDA", "Odd Agency", "Federal", "", "WSO", datetime(5025, 1, 1), "link", None],
]  # fmt: skip


def test_crafted_workbook_traps_and_row_validation():
    wrapped = SAFELINK.format("https%3A%2F%2Fwww.ice.gov%2Fdoclib%2F287gMOA%2Fb.pdf")
    links = {"G2": "https://www.ice.gov/doclib/287gMOA/a.pdf", "H2": wrapped, "G7": "not a url"}
    data = make_workbook(CRAFTED_ROWS, links=links)
    result = parse_file(data, filename="upload.xlsx")
    assert (result.sheet_name, result.layout, result.list_kind) == (
        "Agencies", "xlsx-2025", "participating"
    )  # fmt: skip
    assert result.headers == HEADERS_2025
    bay, hidden, odd = result.rows
    assert (bay.state, bay.kind, bay.county, bay.model) == ("FL", "sheriff", "Bay County", "TFM")
    assert bay.moa_url == "https://www.ice.gov/doclib/287gMOA/a.pdf"
    assert bay.addendum_url == "https://www.ice.gov/doclib/287gMOA/b.pdf"
    assert (hidden.row_number, hidden.state, hidden.county, hidden.moa_url) == (3, "TX", "", None)
    assert hidden.warnings == []
    assert odd.warnings == [
        "unknown TYPE 'Federal'",
        "impossible signed date '5025-01-01'",
        "malformed MOA link 'not a url'",
    ]
    reasons = {r.row_number: r.reason for r in result.rejected}
    assert reasons == {
        4: "unknown state 'NARNIA'",
        5: "no agency name",
        6: "unknown model 'Space Force Model'",
    }
    assert result.rejected[0].values["LAW ENFORCEMENT AGENCY"] == "Some Office"


def test_missing_required_column_rejects_the_file():
    workbook = openpyxl.Workbook()
    workbook.active.append(["STATE", "AGENCY", "SIGNED"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportFileError, match="Missing column.*SUPPORT TYPE"):
        parse_file(buffer.getvalue(), filename="x.xlsx")


def to_csv(rows: list[list[str]], encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


CSV_ROWS = [
    ["State", "Agency", "Type", "County", "Model", "Signed", "MOA"],
    ["NEW MEXICO", "Doña Ana County Sheriff’s Office", "County", "Doña Ana County", "WSO",
     "5/8/2025", SAFELINK.format("https%3A%2F%2Fwww.ice.gov%2Fx.pdf")],
    [],
    ["GUAM", "Guam Police Department", "State", "", "Task Force Model", "", ""],
]  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_csv_export_parses(encoding):
    data = to_csv(CSV_ROWS, encoding)
    result = parse_file(data, filename="participating.csv")
    assert (result.layout, result.sheet_name, result.list_kind) == ("csv", "", "participating")
    first, second = result.rows
    assert first.agency_name == "Doña Ana County Sheriff’s Office"
    assert (first.state, first.signed, first.moa_url) == (
        "NM", date(2025, 5, 8), "https://www.ice.gov/x.pdf"
    )  # fmt: skip
    assert (second.row_number, second.state, second.kind) == (4, "GU", "state_police")


@needs_ice_files
def test_csv_export_of_a_real_workbook_matches_the_workbook():
    path = ORIGINALS / "participatingAgencies06062025am.xlsx"
    sheet = openpyxl.load_workbook(path, data_only=True).active
    exported = to_csv([list(row) for row in sheet.iter_rows(values_only=True)], "utf-8-sig")
    from_csv = parse_file(exported, filename="export.csv")
    fields = ("row_number", "state", "agency_name", "kind", "county", "model", "signed")
    assert [[getattr(r, f) for f in fields] for r in from_csv.rows] == [
        [getattr(r, f) for f in fields] for r in parsed(path).rows
    ]


def test_pending_csv_without_signed_column():
    data = to_csv([["STATE", "LAW ENFORCEMENT AGENCY", "SUPPORT TYPE"],
                   ["OHIO", "Butler County Sheriff's Office", "JEM"]], "utf-8")  # fmt: skip
    assert parse_file(data, filename="list.csv").list_kind == "pending"


# ------------------------------------------------------------------- hostile input


def rezip(base: bytes, replace: dict[str, bytes], *, level: int = 6) -> bytes:
    """Copy of an xlsx with some parts replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename not in replace:
                dst.writestr(info.filename, src.read(info), zipfile.ZIP_DEFLATED, level)
        for name, content in replace.items():
            dst.writestr(name, content, zipfile.ZIP_DEFLATED, level)
    return out.getvalue()


def declare_huge(zip_bytes: bytes) -> bytes:
    """Patch every central-directory entry to claim ~4 GB uncompressed (nothing inflated)."""
    data = bytearray(zip_bytes)
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) != -1:
        struct.pack_into("<I", data, start + 24, 0xFFFFFFF0)
        start += 4
    return bytes(data)


@cache
def small_xlsx() -> bytes:
    return make_workbook(
        [["OHIO", "Butler County Sheriff's Office", "County", "Butler", "JEM", None, None, None]]
    )


def entity_sheet() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )


def corrupt(zip_bytes: bytes) -> bytes:
    """Zero bytes inside the data sheet's compressed stream; names and directory stay intact."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        info = archive.getinfo("xl/worksheets/sheet2.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 8
    data = bytearray(zip_bytes)
    data[start : start + 40] = bytes(40)
    return bytes(data)


def set_encrypted_flag(zip_bytes: bytes) -> bytes:
    data = bytearray(zip_bytes)
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + flag_offset] |= 1
            start += 4
    return bytes(data)


def docx_like() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w/>")
    return out.getvalue()


HOSTILE = {
    "random bytes": (lambda: random.Random(287).randbytes(50_000), "not an Excel workbook"),
    "pdf renamed": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj" + bytes(100), "PDF"),
    "old xls": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), r"old-format \(\.xls\)"),
    "empty": (lambda: b"", "empty"),
    "oversized file": (lambda: b"a," * (11 * 1024 * 1024), "limit is 20 MB"),
    "100 MB csv line": (lambda: b"STATE," + b"a" * 100_000_000, "limit is 20 MB"),
    "zip bomb by declared size": (lambda: declare_huge(small_xlsx()), "zip bomb"),
    "zip bomb by ratio": (
        lambda: rezip(small_xlsx(), {"xl/media/pad.bin": bytes(20 * 1024 * 1024)}, level=9),
        "compressed .*zip bomb",
    ),
    "too many parts": (
        lambda: rezip(small_xlsx(), {f"xl/junk/{i}.xml": b"<a/>" for i in range(300)}),
        r"\d+ parts \(limit 200\)",
    ),
    "vbaProject.bin": (lambda: rezip(small_xlsx(), {"xl/vbaProject.bin": b"\x00" * 64}), "macros"),
    "entity in sheet xml": (
        lambda: rezip(small_xlsx(), {"xl/worksheets/sheet2.xml": entity_sheet()}),
        "DTD or XML entities",
    ),
    "utf-16 entity in shared strings": (
        lambda: rezip(small_xlsx(), {"xl/sharedStrings.xml": entity_sheet().decode().encode(
            "utf-16")}),
        "DTD or XML entities",
    ),
    "zip that is not a workbook": (lambda: docx_like(), "not an Excel workbook"),
    "truncated workbook": (lambda: small_xlsx()[:-30], "damaged"),
    "corrupted workbook": (lambda: corrupt(small_xlsx()), "damaged"),
    "encrypted zip": (lambda: set_encrypted_flag(small_xlsx()), "encrypted"),
    "csv with too many rows": (lambda: b"STATE,AGENCY,MODEL\n" + b"X,y,z\n" * 50_001, "50,000"),
    "text without the headers": (lambda: b"hello,world\n1,2\n", "Missing column"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_is_rejected_fast_with_a_message(case, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open a file the checks reject")

    build, message = HOSTILE[case]
    data = build()
    monkeypatch.setattr(openpyxl, "load_workbook", never)
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match=message):
        parse_file(data, filename="participatingAgencies.xlsx")
    assert time.perf_counter() - started < 1.0


def test_macro_content_type_is_rejected():
    base = small_xlsx()
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        types = archive.read("[Content_Types].xml").replace(
            b"sheet.main+xml", b"sheet.macroEnabled.main+xml"
        )
    with pytest.raises(ImportFileError, match="macros"):
        parse_file(rezip(base, {"[Content_Types].xml": types}), filename="a.xlsx")


def test_csv_line_cap_applies_below_the_size_cap():
    data = b"STATE,LAW ENFORCEMENT AGENCY,SUPPORT TYPE\n" + b"a" * 100_000_000
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="longer than 64 KB"):
        parse_file(data, filename="a.csv", max_bytes=200 * 1024 * 1024)
    assert time.perf_counter() - started < 1.0
