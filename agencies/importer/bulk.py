"""Insert many rows in one statement: COPY on PostgreSQL, bulk_create elsewhere.

The import writes thousands of rows per list; Django's bulk_create spends most of its time
building model instances and adapting values one by one. On PostgreSQL the ids are taken
from the table's sequence up front (one query) and the rows streamed with COPY, which keeps
the database step within a small factor of a bare COPY of the same rows (bench/). SQLite
(development, tests) goes through bulk_create, which batches under its parameter limit.
"""

from __future__ import annotations

import json
import os

from django.db import IntegrityError, connection, models, transaction


def insert(
    model: type[models.Model],
    fields: list[str],
    rows: list[tuple],
    *,
    ignore_conflicts: bool = False,
) -> list[int] | None:
    """Insert `rows` (values in the order of `fields`, attribute names) and return their
    new ids in order — or None when ignore_conflicts had to skip rows (ids then unknown)."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model.objects.bulk_create(objects, ignore_conflicts=ignore_conflicts)
        return None if ignore_conflicts else [obj.pk for obj in objects]
    if not ignore_conflicts:
        return _copy(model, fields, rows)
    try:
        with transaction.atomic():  # a savepoint: a conflict must not poison the import
            return _copy(model, fields, rows)
    except IntegrityError:
        objects = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model.objects.bulk_create(objects, ignore_conflicts=True)
        return None


def uuids(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as 32 hex digits, made in one go: uuid.uuid4() per
    row is a measurable share of a 2,000-row import."""
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = bytes((b & 0x0F) | 0x40 for b in raw[6::16])  # version 4
    raw[8::16] = bytes((b & 0x3F) | 0x80 for b in raw[8::16])  # RFC 4122 variant
    text = raw.hex()
    return [text[i : i + 32] for i in range(0, 32 * count, 32)]


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _formatter(field: models.Field):
    """A function writing one value of `field` in COPY's text format."""
    if isinstance(field, models.JSONField):
        return lambda v: NULL if v is None else json.dumps(v).translate(_ESCAPES)
    if isinstance(field, models.CharField | models.TextField):
        return lambda v: NULL if v is None else v.translate(_ESCAPES)
    if isinstance(field, models.DateTimeField):
        seen: dict = {}  # one timestamp for the whole import, formatted once

        def timestamp(v):
            if v is None:
                return NULL
            if v not in seen:
                seen[v] = v.isoformat()
            return seen[v]

        return timestamp
    if isinstance(field, models.DateField):
        return lambda v: NULL if v is None else v.isoformat()
    if isinstance(field, models.BooleanField):
        return lambda v: NULL if v is None else ("t" if v else "f")
    return lambda v: NULL if v is None else str(v)  # integers, foreign keys, UUIDs


def _copy(model: type[models.Model], fields: list[str], rows: list[tuple]) -> list[int]:
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    formatters = [_formatter(field) for field in columns]
    table = connection.ops.quote_name(meta.db_table)
    pk = meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        # Rows formatted here and sent as one block: write_row() costs ~4 µs a row.
        payload = "".join(
            f"{new_id}\t" + "\t".join([f(v) for f, v in zip(formatters, row, strict=True)]) + "\n"
            for new_id, row in zip(ids, rows, strict=True)
        )
        names = ", ".join(connection.ops.quote_name(c) for c in [pk, *(f.column for f in columns)])
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            copy.write(payload)
    return ids


def update(model: type[models.Model], fields: list[str], rows: list[tuple]) -> None:
    """Set `fields` on many rows, each (pk, *values): one UPDATE … FROM unnest(arrays) on
    PostgreSQL (Django's bulk_update builds a CASE per row and field, which dominates an
    import that ends or re-dates a few hundred agreements)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objects = [model(pk=row[0], **dict(zip(fields, row[1:], strict=True))) for row in rows]
        model.objects.bulk_update(objects, fields)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    names = ", ".join(quote(c.column) for c in columns)
    # The primary key's type as a plain column ("bigint", not an identity declaration).
    types = [meta.pk.rel_db_type(connection)] + [c.db_type(connection) for c in columns[1:]]
    arrays = ", ".join(f"%s::{db_type}[]" for db_type in types)
    assignments = ", ".join(f"{quote(c.column)} = v.{quote(c.column)}" for c in columns[1:])
    pk = quote(meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608 — names from _meta
            f"FROM unnest({arrays}) AS v({names}) WHERE t.{pk} = v.{pk}",
            [list(values) for values in zip(*rows, strict=True)],
        )
