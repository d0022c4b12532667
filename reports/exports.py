"""The companion files: every table of a report as CSV (in one ZIP) and as XLSX sheets.

They carry the same cells the PDF prints (suppressed counts stay suppressed) plus, for
each linked column, the case-list URL that reproduces the figure.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from reports.figures.base import Table

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def _safe(value):
    """Text a spreadsheet would run as a formula (CSV injection) is prefixed with '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _header_and_rows(table: Table) -> tuple[list[str], list[list]]:
    linked = [i for i in range(len(table.columns)) if any(r[i].url for r in table.rows)]
    header = list(table.columns) + [f"{table.columns[i]}: case list link" for i in linked]
    rows = []
    for row in table.rows:
        values = [_safe(cell.export_value) for cell in row]
        rows.append(values + [row[i].url for i in linked])
    return header, rows


def _names(tables: list[Table], limit: int) -> list[str]:
    """Unique, file- and sheet-safe names in report order ("01-headline")."""
    names = []
    for n, table in enumerate(tables, start=1):
        base = _UNSAFE.sub("-", table.key).strip("-").lower() or "table"
        names.append(f"{n:02d}-{base}"[:limit])
    return names


def tables_csv_zip(tables: list[Table]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, table in zip(_names(tables, 80), tables, strict=True):
            header, rows = _header_and_rows(table)
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(header)
            writer.writerows(rows)
            # UTF-8 with BOM so spreadsheet programs read accents correctly.
            archive.writestr(f"{name}.csv", "\ufeff" + text.getvalue())
    return buffer.getvalue()


def tables_xlsx(tables: list[Table], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    workbook.properties.title = title[:200]
    bold = Font(bold=True)
    for name, table in zip(_names(tables, 31), tables, strict=True):
        sheet = workbook.create_sheet(name)
        header, rows = _header_and_rows(table)
        title_cell = WriteOnlyCell(sheet, value=_safe(table.title))
        title_cell.font = bold
        sheet.append([title_cell])
        if table.note:
            sheet.append([_safe(table.note)])
        header_cells = []
        for value in header:
            cell = WriteOnlyCell(sheet, value=_safe(value))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([v.isoformat() if isinstance(v, dt.datetime) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
