"""The reports page: request forms, history with live status, downloads and re-runs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import access_for
from caseworker.lib.web import login_required, private
from reports.downloads import report_file_response
from reports.forms import FORMS, put_errors
from reports.models import ReportKind, ReportStatus
from reports.params import may_request
from reports.selectors import report_get_for_user, reports_for_user
from reports.services import FORMATS, report_request, report_rerun

HISTORY_LIMIT = 100


def _require_reports(user) -> None:
    if not access_for(user).can_request_quarterly:
        raise PermissionDenied("Reports are for attorneys and directors.")


def _forms(request, bound=None) -> dict:
    """One form per kind the user may request; `bound` replaces its kind's blank form."""
    forms = {}
    for kind, form_class in FORMS.items():
        if not may_request(actor=request.user, kind=kind):
            continue
        if bound is not None and bound.kind == kind:
            forms[kind] = bound
        else:
            # Other pages link here prefilled: ?kind=case_chronology&case=2025-000123
            initial = None
            if request.GET.get("kind") == kind:
                initial = {name: request.GET.getlist(name) for name in request.GET}
                initial = {k: v if k == "agencies" else v[-1] for k, v in initial.items()}
            forms[kind] = form_class(user=request.user, initial=initial)
    return forms


def _history(request) -> dict:
    reports = list(reports_for_user(user=request.user)[:HISTORY_LIMIT])
    pending = any(r.status in (ReportStatus.QUEUED, ReportStatus.RUNNING) for r in reports)
    return {"reports": reports, "pending": pending, "history_limit": HISTORY_LIMIT}


def _page(request, bound=None, status=200):
    context = {"forms": _forms(request, bound), **_history(request), "kinds": ReportKind}
    return private(render(request, "reports/list.html", context, status=status))


@login_required
@require_GET
def report_list(request):
    _require_reports(request.user)
    if request.htmx:
        return private(render(request, "reports/_history.html", _history(request)))
    return _page(request)


@login_required
@require_POST
def report_create(request, kind):
    if kind not in FORMS:
        raise Http404("No such report kind")
    if not may_request(actor=request.user, kind=kind):
        raise PermissionDenied("You may not request this kind of report.")
    form = FORMS[kind](request.POST, user=request.user)
    if form.is_valid():
        try:
            report = report_request(actor=request.user, kind=kind, params=form.params())
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, f"Requested: {report.title}. You will be notified.")
            return redirect("reports:list")
    return _page(request, bound=form, status=400)


@login_required
@require_POST
def report_rerun_view(request, public_id):
    report = report_get_for_user(user=request.user, public_id=public_id)
    try:
        fresh = report_rerun(actor=request.user, report=report)
    except ValidationError as exc:
        messages.error(request, "This report cannot be run again: " + " ".join(exc.messages))
    else:
        messages.success(request, f"Requested again: {fresh.title}.")
    return redirect("reports:list")


@login_required
@require_http_methods(["GET", "HEAD"])
def report_file(request, public_id, fmt):
    if fmt not in FORMATS:
        raise Http404("No such format")
    report = report_get_for_user(user=request.user, public_id=public_id)
    return report_file_response(request=request, report=report, fmt=fmt)
