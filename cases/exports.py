"""CSV and XLSX exports of exactly the rows a filtered list shows.

CSV is streamed row batches straight from a server-side cursor (`iterator()`); XLSX
is written in openpyxl's constant-memory mode to a temporary file that is then
streamed. Text that a spreadsheet would run as a formula (starting with = + - @, tab
or CR) is neutralised: prefixed with an apostrophe in CSV, stored as a plain string
cell in XLSX. Exports are audited by the views (audit.services.audit_export).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from agencies.models import Model287g
from cases.models import CaseOutcome, CaseStatus, DetentionOutcome, Encounter

XLSX_MAX_ROWS = 100_000
BATCH = 2000
_FORMULA_START = frozenset("=+-@\t\r")
_MODELS = tuple(Model287g.values)


def csv_safe(value) -> str:
    """A cell value as CSV text that no spreadsheet will evaluate."""
    if value is None:
        return ""
    text = value if value.__class__ is str else str(value)
    if text[:1] in _FORMULA_START:
        return "'" + text
    return text


@dataclass(frozen=True)
class Column:
    header: str
    fields: tuple[str, ...]
    render: Callable | None = None  # (*values) -> cell value
    text: bool = True  # may hold user-typed text, so must be made formula-safe in CSV


def _label(choices) -> Callable:
    labels = dict(choices)
    return lambda value: labels.get(value, value)


def _yes_no(value) -> str:
    return "yes" if value else "no"


def _models(*flags) -> str:
    return " ".join([m for m, on in zip(_MODELS, flags, strict=True) if on]) or "none"


def _agency(name, typed) -> str:
    return name or (f"{typed} (not in directory)" if typed else "")


def _person(username, first, last) -> str:
    return " ".join(part for part in (first, last) if part) or (username or "")


CASE_COLUMNS = (
    Column("Case number", ("number",)),
    Column("Status", ("status",), _label(CaseStatus.choices), text=False),
    Column("Office", ("office__name",)),
    Column("Client family names", ("client__family_names",)),
    Column("Client given names", ("client__given_names",)),
    Column("Opened", ("opened_on",), text=False),
    Column("Closed", ("closed_on",), text=False),
    Column("Outcome", ("outcome",), _label(CaseOutcome.choices), text=False),
    Column(
        "Caseworker",
        ("caseworker__username", "caseworker__first_name", "caseworker__last_name"),
        _person,
    ),
    Column(
        "Attorney", ("attorney__username", "attorney__first_name", "attorney__last_name"), _person
    ),
)

EVENT_COLUMNS = (
    Column("Case number", ("case__number",)),
    Column("Client family names", ("case__client__family_names",)),
    Column("Client given names", ("case__client__given_names",)),
    Column("Event date", ("event_date",), text=False),
    Column("State", ("state",)),
    Column("County", ("county",)),
    Column("City", ("city",)),
    Column("Encounter", ("encounter",), _label(Encounter.choices), text=False),
    Column("Arresting agency", ("arresting_agency__name", "arresting_agency_name"), _agency),
    Column(
        "Arresting agency 287(g) that day",
        ("arresting_tfm", "arresting_jem", "arresting_wso"),
        _models,
        text=False,
    ),
    Column("Custody agency", ("custody_agency__name", "custody_agency_name"), _agency),
    Column(
        "Custody agency 287(g) that day",
        ("custody_tfm", "custody_jem", "custody_wso"),
        _models,
        text=False,
    ),
    Column("No prior record", ("no_prior_record",), _yes_no, text=False),
    Column("Questioned about status", ("questioned_about_status",), _yes_no, text=False),
    Column("Detainer lodged", ("detainer_lodged",), _yes_no, text=False),
    Column("Detainer date", ("detainer_date",), text=False),
    Column("Warrant served", ("warrant_served",), _yes_no, text=False),
    Column("Transferred to ICE", ("transferred_to_ice",), _yes_no, text=False),
    Column("Transfer date", ("transfer_date",), text=False),
    Column("Outcome", ("outcome",), _label(DetentionOutcome.choices), text=False),
    Column("Outcome date", ("outcome_date",), text=False),
    Column("Bond amount", ("bond_amount",), text=False),
    Column("Scope review reasons", ("scope_flags",), lambda flags: "; ".join(flags or [])),
)


def _rows(queryset, columns) -> Iterator[list]:
    """Plain rows from one server-side cursor: no model instances, no N+1."""
    fields, plan = [], []
    for column in columns:
        plan.append((len(fields), len(fields) + len(column.fields), column.render))
        fields.extend(column.fields)
    for values in queryset.values_list(*fields).iterator(chunk_size=BATCH):
        yield [
            render(*values[start:end]) if render else values[start] for start, end, render in plan
        ]


def _filename(stem: str, ext: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{ext}"


def csv_response(queryset, columns, stem: str) -> StreamingHttpResponse:
    def stream():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # BOM: spreadsheet programs then read UTF-8 names right
        writer.writerow([c.header for c in columns])
        texts = [i for i, column in enumerate(columns) if column.text]
        for n, row in enumerate(_rows(queryset, columns), start=1):
            for i in texts:
                row[i] = csv_safe(row[i])
            writer.writerow(row)
            if n % BATCH == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
    response["Cache-Control"] = "no-store"
    return response


def _xlsx_cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def xlsx_response(queryset, columns, stem: str) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(stem[:31])
    sheet.append([_xlsx_cell(sheet, c.header) for c in columns])
    for row in _rows(queryset, columns):
        sheet.append(
            [
                _xlsx_cell(sheet, v if not isinstance(v, dt.datetime) else v.replace(tzinfo=None))
                for v in row
            ]
        )
    handle = tempfile.TemporaryFile()  # deleted when the response closes it
    workbook.save(handle)
    handle.seek(0)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=_filename(stem, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "no-store"
    return response
