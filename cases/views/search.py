"""Case and event lists, exports, pattern view, saved searches and the scope queue.

Every page here is a thin shell around cases.filters: the same FilterSet decides what
the list, the export, the pattern counts and the API return for a query string.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import access_for
from agencies.selectors import agency_search
from audit.reads import audit_shown
from audit.services import audit_export
from cases import exports, patterns, selectors, services
from cases.filters import CaseFilterSet, DetentionEventFilterSet
from cases.models import Case, CaseSearch, DetentionEvent
from cases.views.common import require_case_reader
from caseworker.lib.anumber import mask_a_number
from caseworker.lib.filtering import PAGINATION_PARAMS
from caseworker.lib.keyset import keyset_paginate
from caseworker.lib.web import login_required, private

LIST_PAGE_SIZE = 50


def _base_params(request):
    """This request's filter parameters without pagination or blank fields: the
    shareable query of the current list (an opaque search id in place of names and
    A-numbers, see _search_data)."""
    params = QueryDict(mutable=True)
    for key in request.GET:
        values = [v for v in request.GET.getlist(key) if v != ""]
        if values and key not in PAGINATION_PARAMS:
            params.setlist(key, values)
    return params


class SearchExpired(Exception):
    pass


def _filter_data(request) -> QueryDict:
    """The filter parameters of a GET with its opaque search id (if any) resolved."""
    data = selectors.search_reveal(user=request.user, params=request.GET)
    if data is None:
        raise SearchExpired
    return data


def _opaque_url(request, url: str, source: QueryDict) -> str:
    """`url` with `source`'s filters, names and A-numbers replaced by a search id."""
    params = QueryDict(mutable=True)
    for key in source:
        values = [v for v in source.getlist(key) if v != ""]
        if values and key not in ("csrfmiddlewaretoken", "submission"):
            params.setlist(key, values)
    query = services.search_stash(user=request.user, params=params).urlencode()
    return url + ("?" + query if query else "")


def _has_identifying(params) -> bool:
    return any(v.strip() for name in CaseSearch.IDENTIFYING_PARAMS for v in params.getlist(name))


def _search_data(request, *, back: str):
    """(filter data, None) or (None, a redirect). The filter form is posted; names and
    A-numbers typed into it (or arriving in an old-style `?q=` address) are kept on the
    server and the address gets an opaque search id instead, so they never reach browser
    history, logs or referers. htmx gets the answer for the opaque address directly (and
    pushes it to the address bar); an expired id goes back to `back`."""
    if request.method == "POST" or _has_identifying(request.GET):
        target = _opaque_url(request, request.path, request.POST or request.GET)
        if not request.htmx:
            return None, redirect(target)
        request.GET = QueryDict(target.partition("?")[2])
    try:
        return _filter_data(request), None
    except SearchExpired:
        messages.info(request, "That search has expired. Search again.")
        return None, redirect(back)


SIDEBAR = (
    ("Search", ("q",)),
    ("Agencies", ("agency", "arresting_agency", "custody_agency")),
    ("287(g) model that day", ("arresting_model", "custody_model")),
    ("Place and date", ("state", "county", "date_after", "date_before")),
    (
        "What happened",
        ("encounter", "questioned", "detainer", "warrant", "transferred", "no_prior", "outcome"),
    ),
    ("Review", ("scope_flag",)),
    ("Case", ("case_status", "case_outcome", "office", "caseworker", "attorney")),
    ("Case dates", ("opened_after", "opened_before", "closed_after", "closed_before")),
)
# A filter not placed in a group above still shows, here: declaring it is enough.
SIDEBAR_REST = "More filters"
AGENCY_FIELDS = {"agency", "arresting_agency", "custody_agency"}


def _sidebar(form) -> list[dict]:
    """The filter fields, grouped, with their current values and errors, for the
    template to render each with a label and its errors next to it."""
    data = form.data
    cleaned = getattr(form, "cleaned_data", {})
    staff = list(form.fields["caseworker"].queryset.order_by("username"))  # one query for both
    placed = {name for _title, names in SIDEBAR for name in names}
    rest = tuple(name for name in form.fields if name not in placed and name != "ordering")
    groups = []
    for title, names in (*SIDEBAR, (SIDEBAR_REST, rest)):
        if not names:
            continue
        fields = []
        for name in names:
            bound = form[name]
            values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name, "")]
            field = {
                "name": name,
                "id": f"f-{name}",
                "label": bound.label,
                "help": bound.help_text,
                "errors": bound.errors,
                "value": values[-1] if values else "",
            }
            if name in AGENCY_FIELDS:
                chosen = cleaned.get(name) or []
                field["kind"] = "agency"
                field["options"] = [(str(a.public_id), str(a), True) for a in chosen]
            elif isinstance(bound.field, forms.MultipleChoiceField) and name != "state":
                field["kind"] = "checkboxes"
                field["options"] = [
                    (value, label, value in values) for value, label in bound.field.choices
                ]
            elif name == "office":
                field["kind"] = "select"
                field["options"] = [("", "Any", not values)] + [
                    (o.code, o.name, o.code in values or str(o.public_id) in values)
                    for o in bound.field.queryset
                ]
            elif name in ("caseworker", "attorney"):
                field["kind"] = "select"
                field["options"] = [("", "Any", not values)] + [
                    (str(u.public_id), str(u), str(u.public_id) in values) for u in staff
                ]
            elif name == "state":
                field["kind"] = "select"
                field["options"] = [("", "Any", not values)] + [
                    (code, label, code in values) for code, label in bound.field.choices
                ]
            elif hasattr(bound.field, "choices"):
                field["kind"] = "select"
                field["options"] = [
                    (value, label, value == field["value"]) for value, label in bound.field.choices
                ]
            elif name.endswith(("_after", "_before")):
                field["kind"] = "date"
            else:
                field["kind"] = "text"
            fields.append(field)
        groups.append({"title": title, "fields": fields})
    return groups


def _case_url(case) -> str:
    return reverse("cases:detail", kwargs={"public_id": case.public_id})


@login_required
@require_http_methods(["GET", "POST"])
def case_list(request):
    require_case_reader(request)
    data, redirected = _search_data(request, back=reverse(LIST_URLS["cases"]))
    if redirected:
        return redirected
    user = request.user
    filterset = CaseFilterSet(data, queryset=selectors.cases_for_list(user=user), request=request)
    context = {"saved_searches": selectors.saved_searches_for(user=user)}
    cases = None
    if filterset.is_valid():
        # Show the events that made the case match (all of them without event filters).
        filtered = filterset.filtered_events()
        context["event_filtered"] = filtered is not None
        events = DetentionEvent.objects.all() if filtered is None else filtered
        events = events.select_related("arresting_agency", "custody_agency")
        cases = filterset.qs.prefetch_related(
            Prefetch("detention_events", queryset=events.order_by("-event_date", "-id"))
        )
    return _list_response(request, filterset, cases, kind="cases", context=context)


@login_required
@require_http_methods(["GET", "POST"])
def event_list(request):
    require_case_reader(request)
    data, redirected = _search_data(request, back=reverse(LIST_URLS["events"]))
    if redirected:
        return redirected
    filterset = DetentionEventFilterSet(
        data, queryset=selectors.events_for_list(user=request.user), request=request
    )
    events = filterset.qs if filterset.is_valid() else None
    return _list_response(request, filterset, events, kind="events", context={})


LIST_URLS = {"cases": "cases:list", "events": "cases:events"}


def _list_response(request, filterset, queryset, *, kind: str, context: dict):
    """A list page (or, for htmx, its results): one keyset page of `queryset`, which is
    None when the filter parameters are invalid (a 400 with the errors by their fields)."""
    params = _base_params(request)
    context = {
        "kind": kind,
        "filter": filterset,
        "form": filterset.form,
        "sidebar": _sidebar(filterset.form),
        "query": params.urlencode(),
        "saved_searches": [],
        "list_url": reverse(LIST_URLS[kind]),
        "page": None,
        **context,
    }
    status = 400
    if queryset is not None:
        try:
            page = keyset_paginate(
                queryset, cursor=request.GET.get("cursor"), page_size=LIST_PAGE_SIZE
            )
        except ValidationError as exc:
            context["page_error"] = exc.messages[0]
        else:
            status = 200
            context["page"] = page
            context["count"] = filterset.qs.count()
            audit_shown(request, page.items, count=context["count"])
            context["rows"] = _rows(page.items, kind)
            context["ordering"] = filterset.form.cleaned_data.get("ordering") or ""
            context["headers"] = _headers(kind, params, filterset)
            context["next_url"] = _page_url(params, page.next_cursor)
            context["previous_url"] = _page_url(params, page.previous_cursor)
    template = "cases/search/list.html"
    if request.htmx and request.htmx.target == "results":
        template = "cases/search/_results.html"
    response = private(render(request, template, context, status=status))
    if request.htmx:
        # The address bar gets the tidy, shareable query (no blank form fields).
        query = params.copy()
        if request.GET.get("cursor"):
            query["cursor"] = request.GET["cursor"]
        response["HX-Push-Url"] = context["list_url"] + ("?" + query.urlencode() if query else "")
    return response


def _rows(items, kind):
    if kind == "cases":
        return [
            {
                "case": case,
                "url": _case_url(case),
                "a_number": mask_a_number(case.client.a_number or ""),
                "latest": next(iter(case.detention_events.all()), None),
                "event_count": len(case.detention_events.all()),
            }
            for case in items
        ]
    return [{"event": e, "url": _case_url(e.case)} for e in items]


def _page_url(params, cursor):
    if not cursor:
        return ""
    query = params.copy()
    query["cursor"] = cursor
    return "?" + query.urlencode()


HEADERS = {
    "cases": [
        ("Case", "number"),
        ("Client", "client"),
        ("Status", "status"),
        ("Office", "office"),
        ("Opened", "opened"),
        ("Staff", None),
        ("Detention events", None),
    ],
    "events": [
        ("Date", "date"),
        ("Case", "case"),
        ("Place", "state"),
        ("Encounter", "encounter"),
        ("Arresting agency", None),
        ("Custody agency", None),
        ("Facts", None),
    ],
}


def _headers(kind, params, filterset) -> list[dict]:
    """Column headers; sortable ones link to the same query sorted by them."""
    current = filterset.form.cleaned_data.get("ordering") or filterset.DEFAULT_ORDERING
    headers = []
    for label, name in HEADERS[kind]:
        if name is None:
            headers.append({"label": label})
            continue
        query = params.copy()
        if current == name:
            query["ordering"], state = f"-{name}", "ascending"
        elif current == f"-{name}":
            query["ordering"], state = name, "descending"
        else:
            query["ordering"], state = name, ""
        headers.append({"label": label, "url": "?" + query.urlencode(), "state": state})
    return headers


# Exports -------------------------------------------------------------------------------


def _export(request, fmt: str, *, kind: str):
    require_case_reader(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such export format")
    user = request.user
    data, redirected = _search_data(request, back=reverse(LIST_URLS[kind]))
    if redirected:
        return redirected
    if kind == "cases":
        filterset = CaseFilterSet(
            data, queryset=selectors.cases_visible(user=user), request=request
        )
        columns, model, stem = exports.CASE_COLUMNS, Case, "cases"
    else:
        filterset = DetentionEventFilterSet(
            data, queryset=selectors.events_visible(user=user), request=request
        )
        columns, model, stem = exports.EVENT_COLUMNS, DetentionEvent, "detention-events"
    if not filterset.is_valid():
        return (case_list if kind == "cases" else event_list)(request)
    qs = filterset.qs
    rows = qs.count()
    if fmt == "xlsx" and rows > exports.XLSX_MAX_ROWS:
        messages.error(
            request,
            f"{rows:,} rows is more than a spreadsheet export allows "
            f"({exports.XLSX_MAX_ROWS:,}); narrow the filter or export CSV.",
        )
        return redirect(reverse(LIST_URLS[kind]) + "?" + _base_params(request).urlencode())
    audit_export(
        actor=user,
        model=model,
        fmt=fmt,
        query=_base_params(request).urlencode(),
        rows=rows,
        ip=request.META.get("REMOTE_ADDR"),
    )
    if fmt == "csv":
        return private(exports.csv_response(qs, columns, stem))
    return private(exports.xlsx_response(qs, columns, stem))


@login_required
@require_GET
def case_export(request, fmt):
    return _export(request, fmt, kind="cases")


@login_required
@require_GET
def event_export(request, fmt):
    return _export(request, fmt, kind="events")


# Pattern view --------------------------------------------------------------------------


@login_required
@require_GET
def pattern_view(request):
    require_case_reader(request)
    data, redirected = _search_data(request, back=reverse("cases:list"))
    if redirected:
        return redirected
    user = request.user
    case_filter = CaseFilterSet(data, queryset=selectors.cases_visible(user=user), request=request)
    context = {"form": case_filter.form, "filter": case_filter, "kind": "cases"}
    if not case_filter.is_valid():
        return render(request, "cases/search/patterns.html", context, status=400)
    event_filter = DetentionEventFilterSet(
        data, queryset=selectors.events_visible(user=user), request=request
    )
    event_filter.is_valid()
    base = _base_params(request)
    base.pop("ordering", None)
    tables = patterns.pattern_tables(event_filter.qs, base, case_filter.form.cleaned_data)
    charts = [(table, patterns.bar_chart(table.rows)) for table in tables]
    context.update(
        {
            "query": base.urlencode(),
            "total": case_filter.qs.count(),
            "charts": charts,
            "list_url": reverse("cases:list"),
        }
    )
    return private(render(request, "cases/search/patterns.html", context))


# Saved searches --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def saved_searches(request):
    require_case_reader(request)
    errors = {}
    if request.method == "POST":
        typed = QueryDict(request.POST.get("query", "").lstrip("?"))
        query = selectors.search_reveal(user=request.user, params=typed) or typed
        try:
            search = services.saved_search_create(
                actor=request.user, name=request.POST.get("name", ""), query=query.urlencode()
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, f"Saved search “{search.name}”.")
            return redirect(_opaque_url(request, reverse("cases:list"), QueryDict(search.query)))
    context = {
        "searches": selectors.saved_searches_for(user=request.user),
        "errors": errors,
        "name": request.POST.get("name", ""),
        "query": request.POST.get("query", ""),
    }
    return render(
        request, "cases/search/saved_searches.html", context, status=400 if errors else 200
    )


@login_required
@require_POST
def saved_search_delete(request, public_id):
    search = selectors.saved_search_get_for_user(user=request.user, public_id=public_id)
    services.saved_search_delete(actor=request.user, saved_search=search)
    messages.success(request, f"Deleted saved search “{search.name}”.")
    return redirect("cases:saved-searches")


# Scope review queue ------------------------------------------------------------------------


@login_required
@require_GET
def scope_queue(request):
    require_case_reader(request)
    params = request.GET.copy()
    unknown = sorted(set(params) - {"cursor", "reviewed"})
    if unknown:
        return render(
            request,
            "cases/search/scope_queue.html",
            {"error": "Unknown parameter(s): " + ", ".join(unknown)[:200]},
            status=400,
        )
    show_reviewed = params.get("reviewed") == "1"
    qs = (
        selectors.events_for_list(user=request.user)
        .filter(needs_scope_review=True, scope_reviewed_at__isnull=not show_reviewed)
        .select_related("scope_reviewed_by")
        .order_by("-event_date", "-id")
    )
    try:
        page = keyset_paginate(qs, cursor=params.get("cursor"), page_size=LIST_PAGE_SIZE)
    except ValidationError as exc:
        return render(
            request, "cases/search/scope_queue.html", {"error": exc.messages[0]}, status=400
        )
    context = {
        "page": page,
        "count": qs.count(),
        "rows": [{"event": e, "url": _case_url(e.case)} for e in page.items],
        "next_url": _page_url(params, page.next_cursor),
        "previous_url": _page_url(params, page.previous_cursor),
        "events_url": reverse("cases:events") + "?scope_flag=true",
        "show_reviewed": show_reviewed,
        "can_review": access_for(request.user).can_review_scope,
    }
    audit_shown(request, page.items, count=context["count"])
    return private(render(request, "cases/search/scope_queue.html", context))


@login_required
@require_POST
def scope_reviewed(request, public_id):
    event = selectors.event_get_for_user(user=request.user, public_id=public_id)
    try:
        services.detention_scope_review(actor=request.user, event=event)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Marked as reviewed: {event.case.number}, {event}.")
    return redirect("cases:scope-queue")


# Agency picker (htmx) ------------------------------------------------------------------------


@login_required
@require_GET
def agency_picker(request):
    """Checkboxes for agencies matching `agency_q`, to add to a filter field `role`."""
    require_case_reader(request)
    role = request.GET.get("role", "agency")
    if role not in ("agency", "arresting_agency", "custody_agency"):
        raise Http404("No such filter")
    text = request.GET.get(f"{role}_q", "").strip()[:100]
    agencies = list(agency_search(q=text)[:20]) if len(text) >= 2 else []
    return render(
        request, "cases/search/_agency_options.html", {"agencies": agencies, "role": role}
    )
