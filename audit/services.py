"""Writing audit entries. Every service that changes or reveals client data calls this."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

from django.db import models

from audit.models import AuditAction, AuditEntry


def _plain(value):
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


REDACTED = ["…", "…"]


def diff_fields(before: dict, after: dict, *, redact=()) -> dict:
    """{"field": [old, new]} for each field whose value changed, JSON-safe.

    Fields in `redact` are recorded as changed without their values: the audit trail is
    append-only and reviewed by admins, so it must not hold client identity or charges.
    """
    return {
        key: REDACTED if key in redact else [_plain(before.get(key)), _plain(after.get(key))]
        for key in after
        if before.get(key) != after.get(key)
    }


def audit_record(
    *,
    actor,
    action: AuditAction,
    target: models.Model,
    summary: str = "",
    changes: dict | None = None,
    case_id: int | None = None,
    ip: str | None = None,
) -> AuditEntry:
    target_id = getattr(target, "public_id", None) or target.pk
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label,
        target_id=str(target_id),
        case_id=case_id,
        summary=summary[:300],
        changes=changes or {},
        ip=ip,
    )


def audit_sign_in(
    *, action: AuditAction, username: str, user=None, ip: str | None = None, summary: str
) -> AuditEntry:
    """A login, failed login or lockout. `user` is None for an unknown username, whose
    attempt is still recorded (under the name typed) so probing is visible."""
    return AuditEntry.objects.create(
        actor=user if action == AuditAction.LOGIN else None,
        action=action,
        target_type="accounts.User",
        target_id=str(user.public_id) if user is not None else "unknown",
        summary=f"{summary}: {username}"[:300],
        changes={"username": username[:150]},
        ip=ip,
    )


def audit_export(*, actor, model, fmt: str, query: str, rows: int, ip: str | None = None):
    """An export of a filtered list: who, which filter, how many rows, which format."""
    return AuditEntry.objects.create(
        actor=actor,
        action=AuditAction.EXPORT,
        target_type=model._meta.label,
        target_id="list",
        summary=f"Exported {rows} {model._meta.verbose_name_plural} as {fmt.upper()}"[:300],
        changes={"query": query[:2000], "format": fmt, "rows": rows},
        ip=ip,
    )
