"""Writes for clients, cases and detention events. Every write is validated and audited.

Forms, API serializers, imports and seed_demo all call these functions; none of them
saves a case model directly.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.access import access_for
from accounts.models import Role
from agencies.models import Model287g
from agencies.selectors import agency_standings_on
from audit.models import AuditAction
from audit.services import audit_record, diff_fields
from cases.models import (
    Case,
    CaseCounter,
    CaseStatus,
    Client,
    Deadline,
    DetentionEvent,
    Encounter,
    Intake,
    Note,
)
from caseworker.lib.anumber import normalize_a_number
from caseworker.lib.text import fold

CLIENT_FIELDS = (
    "given_names",
    "family_names",
    "other_names",
    "a_number",
    "date_of_birth",
    "country_of_birth",
    "languages",
    "phone",
    "contacts",
    "safe_contact_notes",
)


def _snapshot(instance, fields) -> dict:
    return {name: getattr(instance, name) for name in fields}


def _require_case_write(actor, case: Case) -> None:
    if not access_for(actor).can_write_case_in(case.office_id):
        raise PermissionDenied("You may not change cases of this office.")


# Clients -----------------------------------------------------------------------


def _client_prepare(client: Client) -> None:
    client.a_number = normalize_a_number(client.a_number) if client.a_number else None
    client.search_name = fold(
        " ".join([client.given_names, client.family_names, client.other_names])
    )
    client.full_clean(validate_unique=True)


def _raise_on_a_number(exc: ValidationError) -> None:
    raise ValidationError({"a_number": exc.messages}) from None


def client_create(*, actor, **fields) -> Client:
    client = Client(created_by=actor, **{k: v for k, v in fields.items() if k in CLIENT_FIELDS})
    try:
        _client_prepare(client)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            _raise_on_a_number(exc)
        raise
    client.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=client, summary="Client created")
    return client


def client_update(*, actor, client: Client, **fields) -> Client:
    before = _snapshot(client, CLIENT_FIELDS)
    for name, value in fields.items():
        if name in CLIENT_FIELDS:
            setattr(client, name, value)
    try:
        _client_prepare(client)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            _raise_on_a_number(exc)
        raise
    changes = diff_fields(before, _snapshot(client, CLIENT_FIELDS))
    if changes:
        client.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=client,
            summary="Client updated: " + ", ".join(changes),
            changes=changes,
        )
    return client


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


@transaction.atomic
def intake_record(
    *, actor, office, client: Client | None, client_fields: dict, intake: dict
) -> Intake:
    """Create (or link) the client, open a case in `office` and record the intake."""
    if client is None:
        client = client_create(actor=actor, **client_fields)
    case = case_open(
        actor=actor,
        client=client,
        office=office,
        opened_on=intake.get("received_on"),
        caseworker=actor if access_for(actor).has(Role.CASEWORKER) else None,
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
    return record


# Detention events ----------------------------------------------------------------

EVENT_FIELDS = (
    "event_date",
    "date_precision",
    "event_time",
    "state",
    "county",
    "city",
    "encounter",
    "arresting_agency",
    "arresting_agency_name",
    "custody_agency",
    "custody_agency_name",
    "charges",
    "no_prior_record",
    "questioned_about_status",
    "detainer_lodged",
    "detainer_date",
    "warrant_served",
    "transferred_to_ice",
    "transfer_date",
    "transfer_facility",
    "outcome",
    "outcome_date",
    "bond_amount",
)
STREET_ENCOUNTERS = {
    Encounter.TRAFFIC_STOP,
    Encounter.HOME,
    Encounter.WORKPLACE,
    Encounter.STREET,
    Encounter.CHECKPOINT,
    Encounter.COURTHOUSE,
}


def detention_snapshot_fill(event: DetentionEvent) -> None:
    """Store on the event the 287(g) models each agency had in force on its date."""
    standings = agency_standings_on(
        agency_ids=[event.arresting_agency_id, event.custody_agency_id], on_date=event.event_date
    )
    pending = {}
    for role in ("arresting", "custody"):
        standing = standings.get(getattr(event, f"{role}_agency_id"))
        for model in Model287g.values:
            setattr(event, f"{role}_{model.lower()}", bool(standing and model in standing.active))
        if standing and (standing.pending or standing.ended):
            pending[role] = {"pending": list(standing.pending), "ended": list(standing.ended)}
    event.snapshot_pending = pending
    event.snapshot_at = timezone.now()


def detention_scope_flags(event: DetentionEvent) -> list[str]:
    """Facts that may fall outside what the agencies' agreements allowed that day.

    A review aid for attorneys, not a legal conclusion.
    """
    flags = []
    arresting = set(event.arresting_models)
    custody = set(event.custody_models)
    if (
        event.encounter in STREET_ENCOUNTERS
        and event.arresting_agency_id
        and "TFM" not in arresting
    ):
        held = "/".join(sorted(arresting)) or "no 287(g) agreement"
        flags.append(
            f"Arrest at a {event.get_encounter_display().lower()} by an agency with {held} "
            "(no Task Force agreement) that day."
        )
    if (
        event.questioned_about_status
        and arresting | custody
        and not ((arresting | custody) - {"WSO"})
    ):
        flags.append(
            "Questioning about status reported, but the agencies held only WSO agreements."
        )
    if event.detainer_lodged and not arresting and not custody:
        flags.append("ICE detainer lodged although neither agency had a 287(g) agreement that day.")
    return flags


def _event_validate(event: DetentionEvent) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    for name in ("event_date", "detainer_date", "transfer_date", "outcome_date"):
        value = getattr(event, name)
        if value and value > today:
            errors.setdefault(name, []).append("This date is in the future.")
    for name, label in (
        ("detainer_date", "The detainer"),
        ("transfer_date", "The transfer"),
        ("outcome_date", "The release or outcome"),
    ):
        value = getattr(event, name)
        if value and event.event_date and value < event.event_date:
            errors.setdefault(name, []).append(f"{label} cannot be before the arrest date.")
    if event.bond_amount is not None:
        if event.bond_amount < 0:
            errors.setdefault("bond_amount", []).append("A bond amount cannot be negative.")
        elif event.bond_amount > 1_000_000:
            errors.setdefault("bond_amount", []).append(
                "That bond amount looks wrong (over $1,000,000)."
            )
    if event.detainer_date and not event.detainer_lodged:
        event.detainer_lodged = True
    if event.transfer_date and not event.transferred_to_ice:
        event.transferred_to_ice = True
    if event.arresting_agency_id:
        event.arresting_agency_name = ""
    if event.custody_agency_id:
        event.custody_agency_name = ""
    if errors:
        raise ValidationError(errors)
    event.full_clean(exclude=["case"])


def _event_save(event: DetentionEvent, *, recompute: bool) -> None:
    _event_validate(event)
    if recompute:
        detention_snapshot_fill(event)
    event.scope_flags = detention_scope_flags(event)
    event.needs_scope_review = bool(event.scope_flags)
    event.save()


@transaction.atomic
def detention_log(*, actor, case: Case, **fields) -> DetentionEvent:
    _require_case_write(actor, case)
    event = DetentionEvent(
        case=case, created_by=actor, **{k: v for k, v in fields.items() if k in EVENT_FIELDS}
    )
    _event_save(event, recompute=True)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=event,
        case_id=case.pk,
        summary=f"Detention event logged: {event}",
    )
    return event


@transaction.atomic
def detention_update(*, actor, event: DetentionEvent, **fields) -> DetentionEvent:
    """Change an event; the snapshot is recomputed only when the date or an agency changes."""
    _require_case_write(actor, event.case)
    before = _snapshot(event, EVENT_FIELDS)
    for name, value in fields.items():
        if name in EVENT_FIELDS:
            setattr(event, name, value)
    after = _snapshot(event, EVENT_FIELDS)
    changes = diff_fields(before, after)
    if not changes:
        return event
    recompute = bool({"event_date", "arresting_agency", "custody_agency"} & changes.keys())
    _event_save(event, recompute=recompute)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=event,
        case_id=event.case_id,
        summary="Detention event updated: " + ", ".join(changes),
        changes=changes,
    )
    return event


# Notes and deadlines ----------------------------------------------------------------


@transaction.atomic
def note_add(*, actor, case: Case, body: str, privileged: bool = False) -> Note:
    _require_case_write(actor, case)
    if privileged and not access_for(actor).reads_privileged:
        raise PermissionDenied("Only attorneys may write privileged notes.")
    note = Note(case=case, body=body, privileged=privileged, created_by=actor)
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
        description=description,
        created_by=actor,
    )
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
def case_set_status(*, actor, case: Case, status: str, outcome: str = "", closed_on=None) -> Case:
    _require_case_write(actor, case)
    before = _snapshot(case, ("status", "outcome", "closed_on"))
    case.status = status
    if status == CaseStatus.CLOSED:
        if not outcome:
            raise ValidationError({"outcome": "Choose an outcome to close the case."})
        case.outcome = outcome
        case.closed_on = closed_on or timezone.localdate()
    else:
        case.outcome, case.closed_on = "", None
    case.full_clean()
    case.save()
    changes = diff_fields(before, _snapshot(case, ("status", "outcome", "closed_on")))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=case,
        case_id=case.pk,
        summary=f"Status: {case.get_status_display()}",
        changes=changes,
    )
    return case
