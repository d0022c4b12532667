"""Agency directory pages: list, agency, imports, import, upload, CSV downloads. Thin: reads
go through agencies.selectors, writes through agencies.services, access through
accounts.access."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import access_for
from agencies import exports, selectors, services
from agencies.filters import AgencyFilterSet, AgreementChangeFilterSet
from agencies.forms import ImportUploadForm
from agencies.models import AgreementChange, AgreementImport, ImportStatus
from caseworker.lib.keyset import keyset_paginate, page_size_from

IMPORTS_PAGE_SIZE = 25
CHANGES_DEFAULT_DAYS = 7


def _reader(request):
    access = access_for(request.user)
    if not access.can_read_directory:
        raise PermissionDenied("The agency directory is for staff with a role.")
    return access


def _query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@login_required
@require_GET
def agency_list(request):
    _reader(request)
    filterset = AgencyFilterSet(request.GET, queryset=selectors.agencies_directory())
    context = {"filterset": filterset, "query": _query_without(request, "cursor"), "page": None}
    status = 200
    if filterset.is_valid():
        try:
            context["page"] = keyset_paginate(
                filterset.qs,
                cursor=request.GET.get("cursor") or None,
                page_size=page_size_from(request.GET.get("page_size")),
            )
            context["counts"] = selectors.directory_counts(agencies=filterset.qs)
        except ValidationError as exc:
            context["page_error"] = " ".join(exc.messages)
            status = 400
    else:
        status = 400
    template = "agencies/_agency_results.html" if request.htmx else "agencies/agency_list.html"
    return render(request, template, context, status=status)


def _csv_download(header, rows, filename: str) -> HttpResponse:
    out = io.StringIO()
    exports.csv_write(out=out, header=header, rows=rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def directory_export_download(request):
    """The directory as of a date (default today): the same CSV as manage.py directory_export."""
    _reader(request)
    raw = request.GET.get("as_of") or timezone.localdate().isoformat()
    try:
        as_of = dt.date.fromisoformat(raw)
    except ValueError:
        return HttpResponse("as_of must be a date (YYYY-MM-DD).", status=400)
    rows = exports.directory_rows_on(as_of=as_of)
    return _csv_download(exports.EXPORT_HEADER, rows, f"287g-directory-{as_of.isoformat()}.csv")


@login_required
@require_GET
def directory_history_download(request):
    """Every change: the same CSV as manage.py directory_history."""
    _reader(request)
    rows = exports.history_rows()
    return _csv_download(exports.HISTORY_HEADER, rows, "287g-directory-history.csv")


@login_required
@require_GET
def agency_detail(request, public_id):
    _reader(request)
    agency = selectors.agency_get(public_id=public_id)
    agreements = selectors.agency_agreements(agency=agency)
    today = timezone.localdate()
    context = {
        "agency": agency,
        "agreements": agreements,
        "in_force_today": selectors.models_in_force(agreements, today),
    }
    # The case panel is rendered by cases ({% agency_case_panel %}); this app never imports it.
    return render(request, "agencies/agency_detail.html", context)


@login_required
@require_GET
def import_list(request):
    access = _reader(request)
    runs = AgreementImport.objects.select_related("requested_by").order_by("-created_at", "-id")
    data = request.GET.copy()
    if not data.get("since"):
        data["since"] = (timezone.localdate() - dt.timedelta(days=CHANGES_DEFAULT_DAYS)).isoformat()
    changes = AgreementChangeFilterSet(data, queryset=AgreementChange.objects.all())
    context = {"changes_filter": changes, "query": _query_without(request, "cursor"), "groups": []}
    status = 200
    try:
        context["page"] = keyset_paginate(
            runs, cursor=request.GET.get("cursor") or None, page_size=IMPORTS_PAGE_SIZE
        )
    except ValidationError as exc:
        context["page"], context["page_error"] = None, " ".join(exc.messages)
        status = 400
    if changes.is_valid():
        context["groups"] = selectors.changes_grouped(changes=changes.qs)
    else:
        status = 400
    context["can_upload"] = access.can_run_imports
    return render(request, "agencies/import_list.html", context, status=status)


@login_required
@require_GET
def import_detail(request, public_id):
    _reader(request)
    run = selectors.import_get(public_id=public_id)
    context = {
        "run": run,
        "finished": run.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        "twin": selectors.import_applied_twin(run=run) if run.status == ImportStatus.NOOP else None,
    }
    if request.htmx:  # the status panel polls itself while the run is queued or running
        response = render(request, "agencies/_import_status.html", context)
        if context["finished"]:
            response["HX-Refresh"] = "true"  # reload once to show changes and rejections
        return response
    context["groups"] = selectors.changes_grouped(changes=run.changes.all(), per_kind=1000)
    context["already_active"] = [n for n in run.row_notes if n.get("kind") == "already_active"]
    context["warnings"] = [n for n in run.row_notes if n.get("kind") != "already_active"]
    return render(request, "agencies/import_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    if not access_for(request.user).can_run_imports:
        raise PermissionDenied("Only administrators run imports.")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = [(upload.name, upload.read()) for upload in form.cleaned_data["files"]]
        try:
            with transaction.atomic():
                runs = services.agreement_imports_create(
                    files=files,
                    list_date=form.cleaned_data["list_date"],
                    list_kind=form.cleaned_data["list_kind"] or None,
                    actor=request.user,
                )
                services.agreement_imports_queue(runs)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"{len(runs)} list(s) queued for import. This page shows the result when done.",
            )
            if len(runs) == 1:
                return redirect("agencies:import-detail", public_id=runs[0].public_id)
            return redirect(reverse("agencies:imports"))
    return render(request, "agencies/import_upload.html", {"form": form})
