"""Caseload alerts: tell the people on open cases when an import changes an agency's 287(g)
standing (signed, ended, reopened, signed date corrected).

A receiver of `agencies.signals.directory_changed` (connected in `CasesConfig.ready`), so the
directory never imports cases. One notification per user per import, listing each affected
agency, what changed and the case numbers that user may see. Sent inside the import's
transaction, so a rolled-back run notifies nobody; emails leave after the commit
(accounts.services.notify).
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from accounts.services import notify
from agencies.models import Agreement, AgreementImport
from cases.models import CaseStatus, DetentionEvent
from cases.selectors import cases_visible

ALERT_KINDS = {"signed", "ended", "reopened", "signed_date"}
MAX_LINES = 15
_WHAT = {
    "signed": "signed (now active)",
    "ended": "ended",
    "reopened": "active again",
    "signed_date": "signed date changed",
}


def caseload_alerts_send(*, run: AgreementImport, changes: list, **_signal_kwargs) -> int:
    """Notify caseworkers and attorneys of affected open cases; return how many users."""
    relevant = [c for c in changes if c.kind in ALERT_KINDS]
    if not relevant:
        return 0
    agreements = {
        a.pk: a
        for a in Agreement.objects.filter(pk__in={c.agreement_id for c in relevant}).select_related(
            "agency"
        )
    }
    by_agency: dict[int, list[str]] = defaultdict(list)
    for change in relevant:
        agreement = agreements[change.agreement_id]
        text = f"{agreement.get_model_display()} {_WHAT[change.kind]}"
        if change.kind == "signed_date" and change.after.get("signed_on"):
            text += f" to {change.after['signed_on']}"
        by_agency[agreement.agency_id].append(text)
    agencies = {a.agency_id: a.agency for a in agreements.values()}

    cases_by_user: dict[int, set[int]] = defaultdict(set)
    agencies_of_case: dict[int, set[int]] = defaultdict(set)
    events = (
        DetentionEvent.objects.filter(
            Q(arresting_agency_id__in=by_agency) | Q(custody_agency_id__in=by_agency),
            case__archived_at__isnull=True,
        )
        .exclude(case__status=CaseStatus.CLOSED)
        .values_list(
            "case_id", "arresting_agency_id", "custody_agency_id", "case__caseworker_id",
            "case__attorney_id",
        )
    )  # fmt: skip
    for case_id, arresting_id, custody_id, caseworker_id, attorney_id in events:
        agencies_of_case[case_id].update(a for a in (arresting_id, custody_id) if a in by_agency)
        for user_id in (caseworker_id, attorney_id):
            if user_id:
                cases_by_user[user_id].add(case_id)
    if not cases_by_user:
        return 0

    url = reverse("agencies:import-detail", args=[run.public_id])
    sent = 0
    for user in get_user_model().objects.filter(pk__in=cases_by_user, is_active=True):
        numbers_by_agency: dict[int, list[str]] = defaultdict(list)
        visible = cases_visible(user=user).filter(pk__in=cases_by_user[user.pk])
        for case_id, number in visible.values_list("id", "number").order_by("number"):
            for agency_id in agencies_of_case[case_id]:
                numbers_by_agency[agency_id].append(number)
        if not numbers_by_agency:
            continue
        lines = [
            f"{agencies[agency_id]}: {'; '.join(by_agency[agency_id])} "
            f"— your cases {', '.join(numbers)}"
            for agency_id, numbers in sorted(
                numbers_by_agency.items(), key=lambda item: agencies[item[0]].name
            )
        ]
        if len(lines) > MAX_LINES:
            lines = [*lines[:MAX_LINES], f"… and {len(lines) - MAX_LINES} more agencies."]
        message = f"287(g) list of {run.list_date}: " + " | ".join(lines)
        notify(
            user=user,
            message=message,
            url=url,
            email_subject="287(g) agreement changes affecting your cases",
        )
        sent += 1
    return sent
