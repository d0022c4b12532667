"""Notes, deadlines and attachments on a case."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.access import access_for
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import (
    Attachment,
    Case,
    Deadline,
    Note,
)
from cases.services._common import _require_case_write
from cases.uploads import check_upload

# Notes, deadlines, attachments, status --------------------------------------------------

DEADLINE_HORIZON_YEARS = 5


@transaction.atomic
def note_add(*, actor, case: Case, body: str, privileged: bool = False) -> Note:
    _require_case_write(actor, case)
    if privileged and not access_for(actor).reads_privileged_in(case.office_id):
        raise PermissionDenied("Only attorneys may write privileged notes.")
    note = Note(case=case, body=(body or "").strip(), privileged=privileged, created_by=actor)
    note.full_clean()
    note.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=note,
        case_id=case.pk,
        summary="Privileged note added" if privileged else "Note added",
    )
    return note


@transaction.atomic
def deadline_add(
    *, actor, case: Case, kind: str, due_on: dt.date, due_time=None, description=""
) -> Deadline:
    _require_case_write(actor, case)
    deadline = Deadline(
        case=case,
        kind=kind,
        due_on=due_on,
        due_time=due_time,
        description=(description or "").strip(),
        created_by=actor,
    )
    today = timezone.localdate()
    if due_on and abs(due_on.year - today.year) > DEADLINE_HORIZON_YEARS:
        raise ValidationError({"due_on": f"Check the year: {due_on:%Y} looks like a typo."})
    deadline.full_clean()
    deadline.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=deadline,
        case_id=case.pk,
        summary=f"Deadline added: {deadline}",
    )
    return deadline


@transaction.atomic
def deadline_set_done(*, actor, deadline: Deadline, done: bool = True) -> Deadline:
    """Mark a deadline met (or reopen it). Compare-and-set: a double click records once."""
    _require_case_write(actor, deadline.case)
    now = timezone.now()
    updated = Deadline.objects.filter(pk=deadline.pk, done_at__isnull=done).update(
        done_at=now if done else None, updated_at=now
    )
    deadline.refresh_from_db(fields=["done_at", "updated_at"])
    if updated:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=deadline,
            case_id=deadline.case_id,
            summary=f"Deadline {'done' if done else 'reopened'}: {deadline}",
        )
    return deadline


@transaction.atomic
def attachment_add(*, actor, case: Case, upload, description: str = "") -> Attachment:
    """Store an upload under MEDIA_ROOT with a random name; its type is sniffed, not trusted."""
    _require_case_write(actor, case)
    kind, name = check_upload(upload, max_bytes=settings.ATTACHMENT_MAX_BYTES)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        case=case,
        original_name=name,
        content_type=kind.mime,
        size=upload.size,
        sha256=digest.hexdigest(),
        description=(description or "").strip(),
        created_by=actor,
    )
    attachment.full_clean(exclude=["file"])
    # The name on disk is random: the uploader's name is only ever shown, never used as a path.
    attachment.file.save(f"{uuid.uuid4().hex}{kind.extensions[0]}", upload, save=False)
    try:
        attachment.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=attachment,
            case_id=case.pk,
            summary=f"Attachment added: {name}",
        )
    except Exception:
        if attachment.file.name:  # no orphan file without a row
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment
