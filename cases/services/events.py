"""Detention events: validation, the 287(g) snapshot and scope flags."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.access import access_for
from agencies.models import Model287g
from agencies.selectors import agency_standings_on
from audit.models import AuditAction
from audit.services import audit_record
from cases.models import (
    Case,
    DetentionEvent,
    Encounter,
)
from cases.services._common import _require_case_write, model_update

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
ROLES = ("arresting", "custody")
STREET_ENCOUNTERS = {
    Encounter.TRAFFIC_STOP,
    Encounter.HOME,
    Encounter.WORKPLACE,
    Encounter.STREET,
    Encounter.CHECKPOINT,
    Encounter.COURTHOUSE,
}


def detention_snapshot_fill(event: DetentionEvent) -> None:
    """Store on the event the 287(g) models each agency had in force on its date, and why."""
    standings = agency_standings_on(
        agency_ids=[event.arresting_agency_id, event.custody_agency_id], on_date=event.event_date
    )
    other = {}
    evidence = {}
    for role in ("arresting", "custody"):
        standing = standings.get(getattr(event, f"{role}_agency_id"))
        for model in Model287g.values:
            setattr(event, f"{role}_{model.lower()}", bool(standing and model in standing.active))
        if standing and (standing.pending or standing.ended):
            other[role] = {"pending": list(standing.pending), "ended": list(standing.ended)}
        if standing and standing.evidence:
            evidence[role] = dict(standing.evidence)
    event.snapshot_other = other
    event.snapshot_evidence = evidence
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


def detention_validate(*, fields: dict) -> None:
    """The detention event rules without saving (see client_validate)."""
    _event_validate(DetentionEvent(**{k: v for k, v in fields.items() if k in EVENT_FIELDS}))


def _event_save(event: DetentionEvent, *, recompute: bool) -> None:
    _event_validate(event)
    if recompute:
        detention_snapshot_fill(event)
    flags = detention_scope_flags(event)
    if flags != event.scope_flags:
        # New or different reasons need a fresh attorney review.
        event.scope_reviewed_at, event.scope_reviewed_by = None, None
    event.scope_flags = flags
    event.needs_scope_review = bool(flags)
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
    changes = model_update(event, fields=EVENT_FIELDS, data=fields, redact=("charges",))
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


@transaction.atomic
def detention_scope_review(*, actor, event: DetentionEvent) -> DetentionEvent:
    """An attorney marks a flagged event as reviewed; it leaves the review queue."""
    if not access_for(actor).can_review_scope or not access_for(actor).can_write_case_in(
        event.case.office_id
    ):
        raise PermissionDenied("Only attorneys of the case's office review scope flags.")
    if not event.needs_scope_review or event.scope_reviewed_at:
        return event
    event.scope_reviewed_at, event.scope_reviewed_by = timezone.now(), actor
    event.save(update_fields=["scope_reviewed_at", "scope_reviewed_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=event,
        case_id=event.case_id,
        summary="Scope flags reviewed: " + "; ".join(event.scope_flags)[:200],
    )
    return event


# The directory changed under a stored snapshot ------------------------------------------


def events_directory_recheck(*, agency_ids, **_signal_kwargs) -> int:
    """After a rebuild of the 287(g) history (an import, a merge, a split): flag each event
    of those agencies whose stored snapshot no longer matches what the history says about
    its date, and unflag those that match again. The snapshot itself stays as logged; an
    attorney accepts the new reading or keeps the old one. Returns how many were flagged.

    One query for the events, then one per distinct event date."""
    ids = set(agency_ids)
    if not ids:
        return 0
    events = list(
        DetentionEvent.objects.filter(
            Q(arresting_agency_id__in=ids) | Q(custody_agency_id__in=ids)
        ).order_by("event_date", "id")
    )
    by_date: dict = defaultdict(list)
    for event in events:
        by_date[event.event_date].append(event)
    now, changed = timezone.now(), []
    for on_date, day_events in by_date.items():
        agencies = {getattr(e, f"{r}_agency_id") for e in day_events for r in ROLES} - {None}
        standings = agency_standings_on(agency_ids=agencies, on_date=on_date)
        for event in day_events:
            flag = {}
            for role in ROLES:
                agency_id = getattr(event, f"{role}_agency_id")
                if agency_id is None:
                    continue
                standing = standings.get(agency_id)
                reads = list(standing.active) if standing else []
                if reads != list(event.models_at(role)):
                    why = dict(standing.evidence) if standing else {}
                    flag[role] = {"was": list(event.models_at(role)), "now": reads, "why": why}
            if flag != event.directory_flag:
                event.directory_flag = flag
                event.directory_flagged_at = now if flag else None
                changed.append(event)
    DetentionEvent.objects.bulk_update(changed, ["directory_flag", "directory_flagged_at"])
    return sum(1 for event in changed if event.directory_flag)


def _require_attorney(actor, event: DetentionEvent) -> None:
    access = access_for(actor)
    if not access.can_review_scope or not access.can_write_case_in(event.case.office_id):
        raise PermissionDenied("Only attorneys of the case's office decide directory changes.")


@transaction.atomic
def event_directory_decide(*, actor, event: DetentionEvent, accept: bool) -> DetentionEvent:
    """An attorney accepts the directory's new reading (the snapshot is recomputed for the
    event's date, with its evidence) or keeps the stored one; either leaves the queue."""
    _require_attorney(actor, event)
    if not event.directory_flag:
        return event
    flag = event.directory_flag
    event.directory_flag, event.directory_flagged_at = {}, None
    if accept:
        _event_save(event, recompute=True)
    else:
        event.save(update_fields=["directory_flag", "directory_flagged_at", "updated_at"])
    summary = "; ".join(
        f"{role}: was {'/'.join(f['was']) or '—'}, now {'/'.join(f['now']) or '—'}"
        for role, f in sorted(flag.items())
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=event,
        case_id=event.case_id,
        summary=("Directory change accepted: " if accept else "Stored snapshot kept: ") + summary,
    )
    return event
