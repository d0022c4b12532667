"""Parse one uploaded/fetched ICE 287(g) list (XLSX or CSV) into validated rows.

The file comes from outside (ICE's site or a staff upload), so every cheap structural check
runs before openpyxl or the csv module sees it: size, zip member sizes and ratios, macros and
XML DTDs. A file that fails them is rejected whole (ImportFileError); a bad row only rejects
that row (RejectedRow), so one typo never blocks the other few hundred agreements.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from .normalize import (
    agency_match_key,
    clean_text,
    normalize_agency_type,
    normalize_kind,
    normalize_model,
    normalize_state,
    parse_signed,
    unwrap_safelinks,
)

MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB
MAX_UNCOMPRESSED_BYTES = 50 * MB
MAX_ZIP_MEMBERS = 200
MAX_COMPRESSION_RATIO = 100  # real ICE workbooks stay under 10
MAX_CSV_LINE_BYTES = 64 * 1024
MAX_ROWS = 50_000

# Header aliases, compared with everything but letters/digits removed and upper-cased.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "state": ("STATE", "STATENAME", "ST"),
    "agency": ("LAWENFORCEMENTAGENCY", "AGENCY", "AGENCYNAME", "LEA", "PARTICIPATINGAGENCY",
               "PARTICIPATINGENTITY", "ENTITY", "NAME"),
    "type": ("TYPE", "AGENCYTYPE", "ENTITYTYPE", "JURISDICTIONTYPE"),
    "county": ("COUNTY", "COUNTYNAME"),
    "model": ("SUPPORTTYPE", "MODEL", "TYPEOF287G", "287GMODEL", "287GTYPE", "PROGRAM"),
    "signed": ("SIGNED", "DATESIGNED", "SIGNEDDATE", "SIGNEDON", "MOASIGNED"),
    "moa": ("MOA", "MOALINK", "MEMORANDUMOFAGREEMENT", "AGREEMENT"),
    "addendum": ("ADDENDUM", "ADDENDUMLINK", "ADDENDA"),
}  # fmt: skip
REQUIRED_COLUMNS = {"state": "STATE", "agency": "LAW ENFORCEMENT AGENCY", "model": "SUPPORT TYPE"}
LIST_KINDS = ("participating", "pending")

_MACRO_CONTENT = re.compile(rb"macroEnabled|vbaProject|ms-office\.activeX", re.IGNORECASE)
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_URL_TEXT = re.compile(r"(?i)^(?:https?://|www\.)\S")


class ImportFileError(Exception):
    """The whole file is unusable; the message is meant for the person who uploaded it."""


@dataclass
class ParsedRow:
    row_number: int
    state: str
    agency_name: str
    kind: str
    county: str
    model: str
    signed: date | None
    moa_url: str | None
    addendum_url: str | None
    warnings: list[str] = field(default_factory=list)


@dataclass
class RejectedRow:
    row_number: int
    reason: str
    values: dict[str, str]


@dataclass
class ParsedList:
    list_kind: str  # "participating" | "pending"
    layout: str  # "xlsx-2025" (ICE's workbooks), "html-era" (pre-2025 table), "csv"
    rows: list[ParsedRow]
    rejected: list[RejectedRow]
    sheet_name: str
    headers: list[str]


@dataclass
class _RawCell:
    """One cell reduced to what validation needs, whatever the file format."""

    value: object
    link: str | None = None


def parse_file(
    data: bytes,
    *,
    filename: str,
    list_kind: str | None = None,
    list_date: date | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
    max_rows: int = MAX_ROWS,
) -> ParsedList:
    """Parse an ICE list; format is detected from the content, never the name.

    list_kind, when not given, comes from the data (a SIGNED column with dates means
    participating, whatever the name), then the filename, then the absence of SIGNED (pending).
    list_date bounds plausible signed dates.
    """
    if list_kind is not None and list_kind not in LIST_KINDS:
        raise ValueError(f"list_kind must be one of {LIST_KINDS}, not {list_kind!r}")
    if not data:
        raise ImportFileError("The file is empty.")
    if len(data) > max_bytes:
        raise ImportFileError(
            f"The file is {len(data) / MB:.1f} MB; the limit is {max_bytes / MB:.0f} MB."
        )
    if data.startswith(b"PK\x03\x04"):
        sheet_name, grid = _read_xlsx(data, max_uncompressed, max_rows)
    else:
        _reject_non_text(data)
        sheet_name, grid = "", _read_csv(data, max_rows)
    header_cells = next(grid, None)
    if header_cells is None:
        raise ImportFileError("The file has no header row.")
    headers = [clean_text(cell.value) for cell in header_cells]
    columns = _map_columns(headers)
    if sheet_name:
        layout = "xlsx-2025" if "type" in columns else "html-era"
    else:
        layout = "csv"
    rows, rejected = _validate_rows(grid, headers, columns, list_date)
    kind = list_kind or _infer_list_kind(filename, columns, rows)
    return ParsedList(kind, layout, rows, rejected, sheet_name, [h for h in headers if h])


# ---------------------------------------------------------------- hostile-input checks


def _reject_non_text(data: bytes) -> None:
    """Refuse binaries before the csv module sees them (random bytes, PDFs, old .xls)."""
    if data.startswith(b"%PDF"):
        raise ImportFileError("This is a PDF, not an Excel workbook (.xlsx) or CSV file.")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "This is an old-format (.xls) or password-protected workbook; "
            "save it as an unprotected .xlsx and upload again."
        )
    if b"\x00" in data[:65536]:
        raise ImportFileError("This is not an Excel workbook (.xlsx) or CSV file.")


def _check_zip(archive: zipfile.ZipFile, max_uncompressed: int) -> None:
    """Judge the archive by its declared sizes, before anything is decompressed."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportFileError(
            f"The workbook has {len(members)} parts (limit {MAX_ZIP_MEMBERS}); refusing it."
        )
    total = sum(info.file_size for info in members)
    if total > max_uncompressed:
        raise ImportFileError(
            f"The workbook would expand to {total / MB:.0f} MB "
            f"(limit {max_uncompressed / MB:.0f} MB); refusing it as a possible zip bomb."
        )
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MB and ratio > MAX_COMPRESSION_RATIO:
            raise ImportFileError(
                f"Part {info.filename!r} is compressed {ratio:.0f}:1; "
                "refusing it as a possible zip bomb."
            )
    names = {info.filename.lower() for info in members}
    if any("vbaproject" in name or name.startswith("xl/macrosheets/") for name in names):
        raise ImportFileError("The workbook contains macros; save it as a plain .xlsx.")
    if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
        raise ImportFileError("This is an OpenDocument spreadsheet; save it as .xlsx.")
    if "xl/workbook.xml" not in names or "[content_types].xml" not in names:
        raise ImportFileError("This zip file is not an Excel workbook (.xlsx).")
    content_types = next(i for i in members if i.filename.lower() == "[content_types].xml")
    if _MACRO_CONTENT.search(archive.read(content_types)):
        raise ImportFileError("The workbook contains macros or ActiveX; save it as a plain .xlsx.")
    for info in members:
        _reject_dtd(archive, info)


def _reject_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """No DOCTYPE/ENTITY in any part: any part can be parsed as XML via the rels.

    NUL bytes are dropped before searching so that UTF-16 parts cannot hide a declaration.
    """
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(MB):
            window = tail + chunk.replace(b"\x00", b"")
            if _DTD.search(window):
                raise ImportFileError(
                    f"Part {info.filename!r} declares a DTD or XML entities, "
                    "which ICE workbooks never do; refusing it."
                )
            tail = window[-16:]


# ------------------------------------------------------------------------ readers


def _read_xlsx(
    data: bytes, max_uncompressed: int, max_rows: int
) -> tuple[str, Iterator[list[_RawCell]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_zip(archive, max_uncompressed)
    except RuntimeError as exc:  # zipfile's "is encrypted, password required"
        raise ImportFileError("The workbook is encrypted; save it without a password.") from exc
    except (zipfile.BadZipFile, NotImplementedError, EOFError, zlib.error) as exc:
        raise ImportFileError(f"The workbook is damaged and cannot be opened ({exc}).") from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions
            # read_only=False: read-only mode does not expose hyperlinks.
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged parts
        raise ImportFileError(f"The workbook is damaged and cannot be read ({exc}).") from exc
    sheet = _pick_sheet(workbook.worksheets)
    if sheet.max_row - 1 > max_rows:
        raise ImportFileError(
            f"Sheet {sheet.title!r} has {sheet.max_row - 1:,} rows (limit {max_rows:,})."
        )
    return sheet.title, _sheet_cells(sheet)


def _pick_sheet(sheets: list[Worksheet]) -> Worksheet:
    """The sheet whose A1 is STATE, else the first with STATE anywhere in row 1."""

    def row1(sheet: Worksheet) -> list[str]:
        return [clean_text(c.value).upper() for c in next(sheet.iter_rows(max_row=1), ())]

    for sheet in sheets:
        if row1(sheet)[:1] == ["STATE"]:
            return sheet
    for sheet in sheets:
        if "STATE" in row1(sheet):
            return sheet
    titles = ", ".join(repr(s.title) for s in sheets)
    raise ImportFileError(f"No sheet has a STATE header in row 1 (sheets: {titles}).")


def _sheet_cells(sheet: Worksheet) -> Iterator[list[_RawCell]]:
    # Hidden (filtered) rows are included: iter_rows ignores row visibility.
    for row in sheet.iter_rows():
        yield [_RawCell(c.value, c.hyperlink.target if c.hyperlink else None) for c in row]


def _read_csv(data: bytes, max_rows: int) -> Iterator[list[_RawCell]]:
    """CSV rows, after refusing over-long lines and too many lines without decoding."""
    start = lines = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end == -1 else end
        if end - start > MAX_CSV_LINE_BYTES:
            raise ImportFileError(
                f"Line {lines + 1} is longer than {MAX_CSV_LINE_BYTES // 1024} KB; "
                "this is not an ICE agency list."
            )
        lines += 1
        if lines > max_rows + 1:
            raise ImportFileError(f"The file has more than {max_rows:,} rows.")
        start = end + 1
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from ([_RawCell(value) for value in record] for record in reader)
    except csv.Error as exc:
        raise ImportFileError(f"The CSV file is malformed ({exc}).") from exc


# --------------------------------------------------------------------- validation


def _squash(header: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", header.upper())


def _map_columns(headers: list[str]) -> dict[str, int]:
    """Field name → column index; the first matching header wins."""
    by_alias = {alias: name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = by_alias.get(_squash(header))
        if name and name not in columns:
            columns[name] = index
    missing = [label for name, label in REQUIRED_COLUMNS.items() if name not in columns]
    if missing:
        found = ", ".join(h for h in headers if h) or "none"
        raise ImportFileError(
            f"Missing column(s): {', '.join(missing)}. Headers found in row 1: {found}."
        )
    return columns


def _validate_rows(
    grid: Iterable[list[_RawCell]],
    headers: list[str],
    columns: dict[str, int],
    list_date: date | None,
) -> tuple[list[ParsedRow], list[RejectedRow]]:
    rows: list[ParsedRow] = []
    rejected: list[RejectedRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for row_number, cells in enumerate(grid, start=2):
        cell = {name: cells[i] if i < len(cells) else _RawCell(None) for name, i in columns.items()}
        text = {name: clean_text(c.value) for name, c in cell.items()}
        if not any(text.values()):
            continue  # empty or formatted-empty row
        problems = []
        state = normalize_state(text["state"])
        if state is None:
            problems.append(f"unknown state '{text['state']}'" if text["state"] else "no state")
        if not text["agency"]:
            problems.append("no agency name")
        model = normalize_model(text["model"])
        if model is None:
            problems.append(f"unknown model '{text['model']}'" if text["model"] else "no model")
        if state is None or model is None or not text["agency"]:
            values = {h: text[n] for n, i in columns.items() if (h := headers[i])}
            rejected.append(RejectedRow(row_number, "; ".join(problems), values))
            continue
        row_warnings: list[str] = []
        type_text = text.get("type", "")
        if normalize_agency_type(type_text) is None:
            row_warnings.append(f"unknown TYPE '{type_text}'")
        signed, signed_warning = None, None
        if "signed" in cell:
            signed, signed_warning = parse_signed(cell["signed"].value, list_date=list_date)
        if signed_warning:
            row_warnings.append(signed_warning)
        key = (state, agency_match_key(text["agency"]), model)
        if key in seen:
            row_warnings.append(f"same agency and model as row {seen[key]}")
        seen.setdefault(key, row_number)
        rows.append(
            ParsedRow(
                row_number=row_number,
                state=state,
                agency_name=text["agency"],
                kind=normalize_kind(type_text, text["agency"]),
                county=text.get("county", ""),
                model=model,
                signed=signed,
                moa_url=_link(cell.get("moa"), "MOA", row_warnings),
                addendum_url=_link(cell.get("addendum"), "ADDENDUM", row_warnings),
                warnings=row_warnings,
            )
        )
    return rows, rejected


def _link(cell: _RawCell | None, column: str, row_warnings: list[str]) -> str | None:
    """Address of a MOA/ADDENDUM cell: its hyperlink, or the text when that is a URL."""
    if cell is None:
        return None
    text = clean_text(cell.value)
    if text.casefold().startswith("link pending"):
        return None
    raw = cell.link or (text if _URL_TEXT.match(text) else "")
    if not raw:
        if text:
            row_warnings.append(f"{column} cell reads '{text}' but has no hyperlink")
        return None
    if raw.lower().startswith("www."):
        raw = f"https://{raw}"
    url = unwrap_safelinks(raw)
    if url is None:
        row_warnings.append(f"malformed {column} link '{raw[:200]}'")
    return url


def _infer_list_kind(filename: str, columns: dict[str, int], rows: list[ParsedRow]) -> str:
    """Signed dates prove a participating list: ICE once filed one under a pending name."""
    if any(row.signed for row in rows):
        return "participating"
    name = filename.casefold()
    if "pending" in name:
        return "pending"
    if "participating" in name or "signed" in columns:
        return "participating"
    return "pending"
