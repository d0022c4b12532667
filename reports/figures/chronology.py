"""The case chronology (privileged): one case's timeline for a bond motion or habeas
petition, with the 287(g) agreements each agency had in force at each event."""

from __future__ import annotations

from django.utils import timezone

from agencies.models import Agreement
from agencies.selectors import agency_standings_on
from cases.models import Intake
from cases.selectors import case_get_for_privileged_work, notes_visible
from reports.figures.base import Counts, Table

ROLES = (("arresting", "Arresting"), ("custody", "Custody (booking)"))


def _event_entries(event) -> list[tuple]:
    place = ", ".join(p for p in (event.city, event.county, event.state) if p)
    arrested = event.arresting_agency or event.arresting_agency_name or "agency not recorded"
    details = [f"Place: {place}." if place else "", f"Arrested by {arrested}."]
    held = event.custody_agency or event.custody_agency_name
    if held:
        details.append(f"Held (booked) by {held}.")
    if event.charges:
        details.append(f"Charges: {event.charges}.")
    details.append("No prior criminal record." if event.no_prior_record else "")
    if event.questioned_about_status:
        details.append("Questioned about immigration status.")
    if event.warrant_served:
        details.append("ICE warrant served.")
    details += [f"Scope review: {flag}" for flag in event.scope_flags]
    entries = [
        (
            event.event_date,
            1,
            f"Detention: {event.get_encounter_display()}",
            " ".join(d for d in details if d),
        ),
    ]
    if event.detainer_lodged:
        when = event.detainer_date or event.event_date
        note = "" if event.detainer_date else " (date not recorded; shown on the arrest date)"
        entries.append((when, 2, "ICE detainer lodged", f"Detainer{note}."))
    if event.transferred_to_ice:
        when = event.transfer_date or event.event_date
        facility = f" to {event.transfer_facility}" if event.transfer_facility else ""
        note = "" if event.transfer_date else " (date not recorded; shown on the arrest date)"
        entries.append((when, 3, "Transferred to ICE custody", f"Transfer{facility}{note}."))
    if event.outcome != "detained" and event.outcome_date:
        bond = f" Bond ${event.bond_amount:,.2f}." if event.bond_amount is not None else ""
        entries.append((event.outcome_date, 4, event.get_outcome_display(), bond.strip()))
    return entries


def _agreements_table(events) -> Table:
    """The models each agency had in force on each event's date: the snapshot stored with
    the event, and what the directory says today (they differ if an import corrected it)."""
    ids = {getattr(e, f"{r}_agency_id") for e in events for r, _ in ROLES} - {None}
    details: dict[tuple[int, str], Agreement] = {
        (a.agency_id, a.model): a for a in Agreement.objects.filter(agency_id__in=ids)
    }
    table = Table(
        "agreements_in_force",
        "287(g) agreements in force at each event",
        [
            "Event date",
            "Role",
            "Agency",
            "In force (recorded)",
            "Pending / ended",
            "Directory today",
            "Agreement details",
        ],
        numeric_from=99,
    )
    for event in events:
        today = agency_standings_on(
            agency_ids=[event.arresting_agency_id, event.custody_agency_id],
            on_date=event.event_date,
        )
        for role, label in ROLES:
            agency = getattr(event, f"{role}_agency")
            name = agency.name if agency else getattr(event, f"{role}_agency_name")
            if not name:
                continue
            recorded = event.models_at(role)
            not_in_force = event.snapshot_other.get(role, {})
            other = "; ".join(f"{k}: {'/'.join(v)}" for k, v in sorted(not_in_force.items()) if v)
            now = today.get(agency.pk) if agency else None
            directory = "/".join(now.active) or "none" if now else "not in directory"
            agreement_notes = []
            why = event.snapshot_evidence.get(role, {})
            for model in recorded:
                agreement = details.get((agency.pk, model)) if agency else None
                if why.get(model):
                    agreement_notes.append(f"{model}: {why[model]}")
                if agreement:
                    signed = agreement.signed_on.isoformat() if agreement.signed_on else "unknown"
                    moa = f", MOA {agreement.moa_url}" if agreement.moa_url else ""
                    agreement_notes.append(f"{model} signed {signed}{moa}")
            table.add(
                event.event_date,
                label,
                name,
                "/".join(recorded) or "none",
                other,
                directory,
                "; ".join(agreement_notes),
            )
    return table


def case_chronology_content(*, user, params: dict, counts: Counts) -> dict:
    case = case_get_for_privileged_work(user=user, public_id=params["case"])
    client = case.client
    events = list(
        case.detention_events.select_related("arresting_agency", "custody_agency").order_by(
            "event_date", "id"
        )
    )
    entries = [(case.opened_on, 0, "Case opened", f"Opened in {case.office}.")]
    intake = Intake.objects.filter(case=case).first()
    if intake:
        who = ", ".join(p for p in (intake.caller_name, intake.caller_relation) if p)
        entries.append(
            (
                intake.received_on,
                0,
                f"Intake ({intake.get_channel_display()})",
                (f"Caller: {who}. " if who else "") + intake.narrative,
            )
        )
    for event in events:
        entries += _event_entries(event)
    for deadline in case.deadlines.all():
        done = " (done)" if deadline.done_at else ""
        entries.append(
            (deadline.due_on, 5, f"{deadline.get_kind_display()}{done}", deadline.description)
        )
    for note in notes_visible(user=user, case=case):
        label = "Privileged note" if note.privileged else "Note"
        author = f" — {note.created_by}" if note.created_by else ""
        entries.append((timezone.localtime(note.created_at).date(), 6, label + author, note.body))
    for attachment in case.attachments.all():
        entries.append(
            (
                timezone.localtime(attachment.created_at).date(),
                7,
                "Document added",
                f"{attachment.original_name}. {attachment.description}".strip(),
            )
        )
    if case.closed_on:
        entries.append((case.closed_on, 9, "Case closed", case.get_outcome_display()))
    timeline = Table("timeline", "Timeline", ["Date", "Entry", "Details"], numeric_from=99)
    for when, _order, what, detail in sorted(entries, key=lambda e: (e[0], e[1])):
        timeline.add(when, what, detail)
    agreements = _agreements_table(events)
    return {
        "case": case,
        "client": client,
        "timeline": timeline,
        "agreements": agreements,
        "tables": [timeline, agreements],
        "record_ids": [str(e.public_id) for e in events],
        "case_ids": [case.pk],
    }
