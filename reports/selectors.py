"""Reads of reports: a user sees and downloads only their own, while they still may.

Someone else's report, or one whose subject the requester can no longer see (left the
office, lost the attorney role), is a 404, never a 403.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cases.selectors import cases_visible
from caseworker.lib.lookup import object_get_or_404
from reports.models import Report, ReportKind
from reports.params import may_request


def reports_for_user(*, user) -> QuerySet[Report]:
    return Report.objects.filter(requested_by=user).order_by("-created_at", "-id")


def report_get_for_user(*, user, public_id) -> Report:
    report = object_get_or_404(
        reports_for_user(user=user), message="No such report", public_id=public_id
    )
    if not may_request(actor=user, kind=report.kind):
        raise Http404("No such report")
    if report.kind != ReportKind.QUARTERLY and report.case_ids:
        wanted = set(report.case_ids)
        if cases_visible(user=user).filter(id__in=wanted).count() != len(wanted):
            raise Http404("No such report")
    return report
