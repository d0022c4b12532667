"""Cases: open (with intake), assign, change status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.access import access_for
from accounts.models import Role
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import (
    Case,
    CaseCounter,
    CaseStatus,
    Client,
    Intake,
)
from cases.services._common import _require_case_write, model_update
from cases.services.clients import client_create
from cases.services.events import detention_log
from caseworker.lib.text import fold

# Cases -------------------------------------------------------------------------


def _next_case_number(year: int) -> str:
    """Atomically take the next number of `year` (works on PostgreSQL and SQLite)."""
    CaseCounter.objects.get_or_create(year=year)
    CaseCounter.objects.filter(year=year).update(last=F("last") + 1)
    last = CaseCounter.objects.get(year=year).last
    return f"{year}-{last:06d}"


@transaction.atomic
def case_open(
    *,
    actor,
    client: Client,
    office,
    opened_on: dt.date | None = None,
    caseworker=None,
    attorney=None,
) -> Case:
    if not access_for(actor).can_write_case_in(office.id):
        raise PermissionDenied("You may not open cases in this office.")
    opened_on = opened_on or timezone.localdate()
    case = Case(
        client=client,
        office=office,
        opened_on=opened_on,
        created_by=actor,
        caseworker=caseworker,
        attorney=attorney,
        number=_next_case_number(opened_on.year),
    )
    case.full_clean()
    case.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=case,
        case_id=case.pk,
        summary=f"Case {case.number} opened",
    )
    return case


def intake_validate(*, fields: dict) -> None:
    """The intake's own rules, for forms to show before saving (intake_record applies them)."""
    received_on = fields.get("received_on")
    if received_on and received_on > timezone.localdate():
        raise ValidationError({"received_on": "The intake date cannot be in the future."})


@transaction.atomic
def intake_record(
    *,
    actor,
    office,
    client: Client | None,
    client_fields: dict,
    intake: dict,
    event: dict | None = None,
    seen: Collection[int] | None = None,
) -> Intake:
    """Create (or link) the client, open a case in `office`, record the intake and,
    when `event` is given, log the first detention event: all or nothing.

    Errors of the optional event are raised under "event:<field>" keys so a form can
    show them next to the right field. `seen`: the possible duplicates the user was shown
    before choosing a new client (the intake page); a same-name, same-birth-date client
    saved meanwhile by someone else refuses the save instead of making a second record.
    """
    intake_validate(fields=intake)
    if client is None:
        if seen is not None:
            _new_client_race_check(actor, client_fields, seen)
        client = client_create(actor=actor, **client_fields)
    access = access_for(actor)
    case = case_open(
        actor=actor,
        client=client,
        office=office,
        opened_on=intake.get("received_on"),
        caseworker=actor if access.has(Role.CASEWORKER) else None,
        attorney=actor if access.has(Role.ATTORNEY) and not access.has(Role.CASEWORKER) else None,
    )
    record = Intake(case=case, staff=actor, created_by=actor, **intake)
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=record,
        case_id=case.pk,
        summary=f"Intake by {record.get_channel_display().lower()}",
    )
    if event is not None:
        try:
            detention_log(actor=actor, case=case, **event)
        except ValidationError as exc:
            raise ValidationError(
                {f"event:{name}": messages for name, messages in exc.message_dict.items()}
            ) from None
    return record


def _new_client_race_check(actor, fields: dict, seen: Collection[int]) -> None:
    """Two people typing the same new client at once (no A-number; its unique index settles
    that case): the identity (folded names, birth-date index) is locked until this
    transaction ends, and a twin saved since the user's duplicate check is a refusal."""
    dob = fields.get("date_of_birth")
    if fields.get("a_number") or not dob:
        return
    names = fold(f"{fields.get('given_names', '')} {fields.get('family_names', '')}")
    digest = Client._meta.get_field("date_of_birth_bidx").digest(dob)
    if connection.vendor == "postgresql":  # SQLite serialises writers anyway
        with connection.cursor() as cursor:
            key = f"new-client {digest} {names}"
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
    twin = (
        Client.objects.visible_to(actor)
        .filter(date_of_birth_bidx=digest, search_name__startswith=names)
        .exclude(pk__in=list(seen))
        .first()
    )
    if twin is not None:
        raise ValidationError(
            {
                "given_names": (
                    f"{twin.full_name}, born {dob:%d %b %Y}, was saved by another intake a "
                    "moment ago, so this one was not. Send it again to see them among the "
                    "possible duplicates, and link this intake to them if it is the same person."
                )
            }
        )


def case_assign(*, actor, case: Case, caseworker=None, attorney=None) -> Case:
    """Set the case's caseworker and attorney: members of the case's office in that role."""
    _require_case_write(actor, case)
    errors = {}
    for field, person, role, article in (
        ("caseworker", caseworker, Role.CASEWORKER, "a"),
        ("attorney", attorney, Role.ATTORNEY, "an"),
    ):
        if person is None:
            continue
        person_access = access_for(person)
        if not person_access.has(role) or case.office_id not in person_access.office_ids:
            errors[field] = f"{person} is not {article} {role.value} of {case.office}."
    if errors:
        raise ValidationError(errors)
    changes = model_update(
        case,
        fields=("caseworker", "attorney"),
        data={"caseworker": caseworker, "attorney": attorney},
    )
    if not changes:
        return case
    case.save(update_fields=["caseworker", "attorney", "updated_at"])
    described = [
        f"{field} {getattr(case, field) or 'unassigned'}"
        for field in ("caseworker", "attorney")
        if field in changes
    ]
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=case,
        case_id=case.pk,
        summary="Assigned: " + ", ".join(described),
        changes=changes,
    )
    return case


@transaction.atomic
def case_set_status(*, actor, case: Case, status: str, outcome: str = "", closed_on=None) -> Case:
    _require_case_write(actor, case)
    if status not in CaseStatus.values:
        raise ValidationError({"status": "Choose a status."})
    if status == CaseStatus.CLOSED:
        closed_on = closed_on or timezone.localdate()
        errors = {}
        if not outcome:
            errors["outcome"] = "Choose an outcome to close the case."
        if closed_on > timezone.localdate():
            errors["closed_on"] = "The closing date cannot be in the future."
        elif closed_on < case.opened_on:
            errors["closed_on"] = (
                f"The case was opened on {case.opened_on:%Y-%m-%d}; it cannot close before that."
            )
        if errors:
            raise ValidationError(errors)
        data = {"status": status, "outcome": outcome, "closed_on": closed_on}
    else:
        data = {"status": status, "outcome": "", "closed_on": None}
    changes = model_update(case, fields=("status", "outcome", "closed_on"), data=data)
    if not changes:
        return case
    case.full_clean()
    case.save()
    summary = f"Status: {case.get_status_display()}"
    if case.outcome:
        summary += f" ({case.get_outcome_display()})"
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=case,
        case_id=case.pk,
        summary=summary,
        changes=changes,
    )
    return case
