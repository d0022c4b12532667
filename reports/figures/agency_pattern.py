"""The agency pattern report (privileged): each agency's agreement history and every
detention event the attorney may see where it arrested or held the client."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.utils.text import slugify

from agencies.importer import history
from agencies.models import Agency, AgreementChange, AgreementPeriod, Model287g
from cases.filters import MODEL_CHOICES
from reports.figures.base import EVENTS, Cell, Counts, Table, list_url, matching

SUMMARY = [
    ("Events (arrested or held)", "agency", {}),
    ("Arrested by this agency", "arresting_agency", {}),
    ("Held (booked) by this agency", "custody_agency", {}),
    ("ICE detainer lodged", "agency", {"detainer": "true"}),
    ("ICE warrant served", "agency", {"warrant": "true"}),
    ("Transferred to ICE", "agency", {"transferred": "true"}),
    ("No prior criminal record", "agency", {"no_prior": "true"}),
    ("Flagged for scope review", "agency", {"scope_flag": "true"}),
]


def _models_text(event, role: str) -> str:
    # A word joiner after each slash: "[TFM/WSO]" never splits across lines.
    return "/\u2060".join(event.models_at(role)) or "none"


def _agency_text(event, role: str) -> str:
    agency = getattr(event, f"{role}_agency")
    name = agency.name if agency else getattr(event, f"{role}_agency_name") or "—"
    return f"{name} [{_models_text(event, role)}]"


def record_checksum(ids) -> str:
    """SHA-256 of the sorted record ids, one per line: the manifest's fingerprint."""
    return hashlib.sha256("\n".join(sorted(str(i) for i in ids)).encode()).hexdigest()


def _period_evidence(period: AgreementPeriod) -> str:
    """What shows the period: the list (or signed date) it starts from, and how its end is
    known (a window between two lists), as on the agency page."""
    start = history.evidence(
        status=period.status,
        start=period.start,
        listed_from=period.listed_from,
        signed_on=period.signed_on,
        listings=period.listings or [],
        on=period.start,
    )
    end = history.end_window(
        last_listed=period.last_listed, gone_by=period.gone_by, unknown=period.end_unknown
    )
    return "; ".join(part for part in (start, end) if part)


def _history(agency: Agency) -> tuple[Table, Table]:
    agreements = Table(
        "agreements",
        "Agreements",
        ["Model", "Status now", "Signed", "Ended", "First seen", "Last seen"],
        numeric_from=99,
    )
    for agreement in agency.agreements.all():
        agreements.add(
            Cell(f"{Model287g(agreement.model).label} ({agreement.model})"),
            agreement.get_status_display(),
            agreement.signed_on,
            agreement.ended_on,
            agreement.first_seen_on,
            agreement.last_seen_on,
        )
    periods = Table(
        "history",
        "Agreement history",
        ["From", "Until", "Model", "Status / change", "Evidence"],
        numeric_from=99,
    )
    entries = []
    for period in AgreementPeriod.objects.filter(agreement__agency=agency).select_related(
        "agreement"
    ):
        entries.append(
            (
                period.start,
                0,
                period.end,
                period.agreement.model,
                f"{period.status} period",
                _period_evidence(period),
            )
        )
    for change in AgreementChange.objects.filter(agreement__agency=agency).select_related(
        "agreement", "agreement_import"
    ):
        entries.append(
            (
                change.effective_on,
                1,
                None,
                change.agreement.model,
                f"{change.get_kind_display()} (ICE list "
                f"{change.agreement_import.list_date or change.effective_on})",
                "",
            )
        )
    for start, _order, end, model, what, why in sorted(entries, key=lambda e: e[:2]):
        periods.add(start, end if end else ("ongoing" if _order == 0 else ""), model, what, why)
    return agreements, periods


def _summary(*, user, agency: Agency, base: dict, counts: Counts) -> Table:
    uid = str(agency.public_id)
    table = Table(
        "summary",
        "Summary",
        ["Measure", "Events"],
    )
    for label, role, more in SUMMARY:
        params = {**base, role: uid, **more}
        n = matching(user=user, target=EVENTS, params=params, privileged=True).count()
        table.add(Cell(label), counts.cell(n, list_url(EVENTS, params)))
    for role, title in (("arresting", "arrest"), ("custody", "booking")):
        for value, label in MODEL_CHOICES:
            params = {**base, f"{role}_agency": uid, f"{role}_model": value}
            n = matching(user=user, target=EVENTS, params=params, privileged=True).count()
            if n:
                name = value if value != "none" else "no agreement"
                table.add(
                    Cell(f"Its {title}s with {name} in force ({label})"),
                    counts.cell(n, list_url(EVENTS, params)),
                )
    return table


def _listing(*, user, agency: Agency, base: dict, include_names: bool, cap: int):
    uid = str(agency.public_id)
    params = {**base, "agency": uid}
    events = list(
        matching(user=user, target=EVENTS, params=params, privileged=True)
        .select_related("case__client", "arresting_agency", "custody_agency")
        .order_by("event_date", "id")
    )
    columns = [
        "Case",
        "Date",
        "Encounter",
        "Arrested by [models]",
        "Held by [models]",
        "Detainer",
        "No prior",
        "Scope flags",
    ]
    if include_names:
        columns.insert(1, "Client")
    table = Table("events", "Detention events", columns, numeric_from=99)
    for event in events:
        cells = [
            Cell(event.case.number),
            Cell(event.event_date.isoformat(), event.event_date),
            Cell(event.get_encounter_display()),
            Cell(_agency_text(event, "arresting")),
            Cell(_agency_text(event, "custody")),
            Cell("Yes" if event.detainer_lodged else "No", event.detainer_lodged),
            Cell("Yes" if event.no_prior_record else "No", event.no_prior_record),
            Cell("; ".join(event.scope_flags)),
        ]
        if include_names:
            cells.insert(1, Cell(event.case.client.full_name))
        table.rows.append(cells)
    if len(events) > cap:
        table.in_pdf = False
        table.note = (
            f"{len(events):,} events: more than the listing cap of {cap:,}, so they are "
            "listed only in the companion CSV/XLSX."
        )
    return table, events, list_url(EVENTS, params)


def agency_pattern_content(*, user, params: dict, counts: Counts) -> dict:
    base = {"date_after": params["date_after"], "date_before": params["date_before"]}
    agencies = list(
        Agency.objects.filter(public_id__in=params["agencies"])
        .prefetch_related("agreements")
        .order_by("name", "state")
    )
    cap = settings.REPORT_LISTING_CAP
    sections, tables = [], []
    event_ids, case_ids = set(), set()
    overview = Table(
        "overview",
        "Overview",
        ["Agency", "State", "Events", "Arrested", "Held", "Detainer", "No prior", "Flagged"],
        numeric_from=2,
    )
    for agency in agencies:
        agreements, history = _history(agency)
        summary = _summary(user=user, agency=agency, base=base, counts=counts)
        listing, events, listing_url = _listing(
            user=user,
            agency=agency,
            base=base,
            include_names=params.get("include_names", False),
            cap=cap,
        )
        event_ids.update(str(e.public_id) for e in events)
        case_ids.update(e.case_id for e in events)
        by_label = {row[0].text: row[1] for row in summary.rows}
        overview.add(
            Cell(agency.name),
            Cell(agency.state),
            *(by_label[label] for label, _r, _m in (SUMMARY[i] for i in (0, 1, 2, 3, 6, 7))),
        )
        sections.append(
            {
                "agency": agency,
                "agreements": agreements,
                "history": history,
                "summary": summary,
                "listing": listing,
                "listing_url": listing_url,
            }
        )
        for table in (agreements, history, summary, listing):
            table.key = f"{slugify(agency.name)[:20]}-{agency.state.lower()}-{table.key}"
            tables.append(table)
    tables.insert(0, overview)
    return {
        "agencies": agencies,
        "overview": overview,
        "sections": sections,
        "date_after": params["date_after"],
        "date_before": params["date_before"],
        "include_names": params.get("include_names", False),
        "tables": tables,
        "record_ids": sorted(event_ids),
        "case_ids": sorted(case_ids),
    }
