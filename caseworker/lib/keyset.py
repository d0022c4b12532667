"""Keyset ("cursor") pagination: page 100 costs what page 1 costs.

The queryset's ORDER BY must end with the primary key, so every row has a unique
position. A cursor is an opaque token holding the ordering it was made for, the
position (the ordering values of a boundary row), the direction, and the page's start
index (for "showing 51–100" only). Ordering columns must be NOT NULL.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Q, QuerySet

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class InvalidCursor(ValidationError):
    def __init__(self):
        super().__init__(
            "This page link is invalid or out of date; start from the first page.",
            code="invalid_cursor",
        )


@dataclass
class KeysetPage:
    items: list
    start: int
    has_next: bool
    has_previous: bool
    next_cursor: str | None = None
    previous_cursor: str | None = None
    keys: tuple[str, ...] = field(default=())

    @property
    def start_index(self) -> int:
        return self.start + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return self.start + len(self.items)


def ordering_keys(queryset: QuerySet) -> tuple[str, ...]:
    keys = tuple(queryset.query.order_by) or tuple(queryset.model._meta.ordering)
    if not keys or keys[-1].lstrip("-") not in ("id", "pk"):
        raise ImproperlyConfigured(
            f"Keyset pagination needs an ordering ending with the primary key, got {keys!r}"
        )
    return keys


def _value(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj.isoformat() if hasattr(obj, "isoformat") else obj


def _encode(payload: dict) -> str:
    raw = json.dumps(payload, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, keys: tuple[str, ...]) -> dict:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidCursor() from None
    if (
        not isinstance(payload, dict)
        or payload.get("k") != list(keys)
        or not isinstance(payload.get("v"), list)
        or len(payload["v"]) != len(keys)
        or payload.get("d") not in ("n", "p")
        or not isinstance(payload.get("s"), int)
        or any(not isinstance(v, str | int) or isinstance(v, bool) for v in payload["v"])
    ):
        raise InvalidCursor()
    return payload


def _after(keys: tuple[str, ...], values: list, *, backwards: bool) -> Q:
    """Rows strictly after `values` in the order of `keys` (before it if backwards)."""
    condition = Q()
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        name = key.lstrip("-")
        descending = key.startswith("-") != backwards
        condition |= equal & Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
        equal &= Q(**{name: value})
    # A redundant bound on the first column lets the database use its index range.
    first, descending = keys[0].lstrip("-"), keys[0].startswith("-") != backwards
    return Q(**{f"{first}__{'lte' if descending else 'gte'}": values[0]}) & condition


def _reverse(keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(k[1:] if k.startswith("-") else "-" + k for k in keys)


def keyset_paginate(
    queryset: QuerySet, *, cursor: str | None, page_size: int = DEFAULT_PAGE_SIZE
) -> KeysetPage:
    """One page of `queryset` (already filtered and ordered) at `cursor` (None = first)."""
    keys = ordering_keys(queryset)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    payload = _decode(cursor, keys) if cursor else None
    backwards = bool(payload and payload["d"] == "p")
    qs = queryset
    if payload:
        try:
            qs = qs.filter(_after(keys, payload["v"], backwards=backwards))
        except (ValueError, TypeError, ValidationError):
            raise InvalidCursor() from None
    if backwards:
        qs = qs.order_by(*_reverse(keys))
    try:
        rows = list(qs[: page_size + 1])
    except (ValueError, TypeError, ValidationError):
        raise InvalidCursor() from None
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
        start = max(0, payload["s"]) if more else 0
        has_previous, has_next = more, True
    else:
        start = payload["s"] if payload else 0
        has_previous, has_next = payload is not None, more
    page = KeysetPage(
        items=rows, start=start, has_next=has_next, has_previous=has_previous, keys=keys
    )
    if rows and has_next:
        page.next_cursor = _encode(
            {
                "k": list(keys),
                "v": [_value(rows[-1], k.lstrip("-")) for k in keys],
                "d": "n",
                "s": start + len(rows),
            }
        )
    if rows and has_previous:
        page.previous_cursor = _encode(
            {
                "k": list(keys),
                "v": [_value(rows[0], k.lstrip("-")) for k in keys],
                "d": "p",
                "s": start - page_size,
            }
        )
    return page


def page_size_from(value, default: int = DEFAULT_PAGE_SIZE) -> int:
    """Parse a `page_size` parameter: a whole number from 1 to MAX_PAGE_SIZE."""
    if value in (None, ""):
        return default
    try:
        size = int(value)
    except (TypeError, ValueError):
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError(
            {"page_size": f"A whole number from 1 to {MAX_PAGE_SIZE}."}, code="invalid"
        )
    return size
