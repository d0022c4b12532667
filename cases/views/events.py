"""Detention events: form with the agency picker, event page, and the "to link" queue."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import access_for
from agencies.models import Agency
from agencies.selectors import agency_standings_on, agency_suggestions
from audit.reads import audit_shown
from audit.submissions import Repeat, submission_claim, submission_finish, submission_token
from cases import selectors, services
from cases.forms import (
    AGENCY_ROLES,
    AgencyLinkForm,
    DetentionEventForm,
    add_service_errors,
    event_initial,
)
from cases.views.common import require_case_write
from caseworker.lib.web import client_ip, form_and_rules_valid, login_required, private

TO_LINK_LIMIT = 200


def picker_standings(form, *, date=None) -> dict:
    """The event date and {role: (agency, standing)} for agencies already chosen on a
    form, so the pickers show their badges on first render. One query for both."""
    date = date or _form_value(form, "event_date")
    chosen = {}
    for role in AGENCY_ROLES:
        agency = _form_value(form, f"{role}_agency")
        if isinstance(agency, Agency):
            chosen[role] = agency
    picker: dict = {"date": date}
    standings = {}
    if chosen and date:
        standings = agency_standings_on(agency_ids=[a.pk for a in chosen.values()], on_date=date)
    for role, agency in chosen.items():
        picker[role] = (agency, standings.get(agency.pk))
    return picker


def _form_value(form, name):
    """A field's parsed value whether or not the whole form is valid."""
    if hasattr(form, "cleaned_data") and name in form.cleaned_data:
        return form.cleaned_data[name]
    field = form.fields.get(name)
    if field is None:
        return None
    raw = form[name].value() if form.is_bound else form.initial.get(name, field.initial)
    try:
        return field.clean(raw)
    except ValidationError:
        return None


def _fields(form):
    return form.service_fields()


def _render_form(request, form, *, case, event=None, status=200):
    context = {"form": form, "case": case, "event": event, "picker": picker_standings(form)}
    context["submission"] = submission_token(request)
    return private(render(request, "cases/event_form.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request, public_id):
    case = selectors.case_get_for_user(user=request.user, public_id=public_id)
    require_case_write(request, case)
    if request.method == "GET":
        return _render_form(request, DetentionEventForm(), case=case)
    form = DetentionEventForm(request.POST)
    if form_and_rules_valid(form, services.detention_validate, _fields):
        draft = f"event-new-{case.public_id}"
        try:
            with transaction.atomic():
                claim = submission_claim(user=request.user, token=submission_token(request))
                event = services.detention_log(
                    actor=request.user, case=case, **form.service_fields()
                )
                done = reverse("cases:event", args=[event.public_id]) + f"?saved={draft}"
                submission_finish(claim, {"url": done})
        except ValidationError as exc:
            add_service_errors(exc, {"": form})
        except Repeat as repeat:  # a double click or a resent form: show the first one's event
            messages.info(request, "This detention event was already saved; here it is.")
            return redirect(repeat.outcome.get("url") or reverse("cases:detail", args=[public_id]))
        else:
            messages.success(request, f"Detention event of {event.event_date:%d %b %Y} saved.")
            return redirect(done)
    return _render_form(request, form, case=case, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, public_id):
    event = selectors.event_get_for_user(user=request.user, public_id=public_id)
    require_case_write(request, event.case)
    if request.method == "GET":
        services.case_read_record(
            user=request.user, case=event.case, what="Event (edit form)", ip=client_ip(request)
        )
        form = DetentionEventForm(initial=event_initial(event))
        return _render_form(request, form, case=event.case, event=event)
    form = DetentionEventForm(request.POST, initial=event_initial(event))
    if form_and_rules_valid(form, services.detention_validate, _fields):
        try:
            services.detention_update(actor=request.user, event=event, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(exc, {"": form})
        else:
            messages.success(request, "Detention event updated.")
            draft = f"event-edit-{event.public_id}"
            return redirect(reverse("cases:event", args=[event.public_id]) + f"?saved={draft}")
    return _render_form(request, form, case=event.case, event=event, status=400)


@login_required
@require_GET
def event_detail(request, public_id):
    event = selectors.event_get_for_user(user=request.user, public_id=public_id)
    services.case_read_record(
        user=request.user, case=event.case, what="Detention event", ip=client_ip(request)
    )
    today = agency_standings_on(
        agency_ids=[event.arresting_agency_id, event.custody_agency_id],
        on_date=timezone.localdate(),
    )
    drift = {}
    for role in AGENCY_ROLES:
        standing = today.get(getattr(event, f"{role}_agency_id"))
        if standing is not None and tuple(standing.active) != tuple(event.models_at(role)):
            drift[role] = standing
    rows = [
        {
            "role": role,
            "label": label,
            "agency": getattr(event, f"{role}_agency"),
            "typed": getattr(event, f"{role}_agency_name"),
        }
        for role, label in (("arresting", "Arresting"), ("custody", "Custody (booking)"))
    ]
    context = {"event": event, "case": event.case, "drift": drift, "rows": rows}
    return private(render(request, "cases/event_detail.html", context))


# Linking agencies typed by hand ------------------------------------------------------


@login_required
@require_GET
def to_link(request):
    events = selectors.events_to_link(user=request.user)
    context = {"events": list(events[:TO_LINK_LIMIT]), "total": events.count()}
    audit_shown(request, context["events"], count=context["total"])
    return private(render(request, "cases/to_link.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def event_link(request, public_id):
    event = selectors.event_get_for_user(user=request.user, public_id=public_id)
    require_case_write(request, event.case)
    role = request.POST.get("role") or request.GET.get("role") or _first_unlinked(event)
    if role not in AGENCY_ROLES:
        raise Http404("Nothing to link on this event")
    if getattr(event, f"{role}_agency_id") is not None:
        messages.info(request, f"The {role} agency is already linked; edit the event to change it.")
        return redirect("cases:event", event.public_id)
    typed = getattr(event, f"{role}_agency_name")
    form = AgencyLinkForm(request.POST or None, role=role, initial={f"{role}_agency_name": typed})
    if request.method == "POST" and form.is_valid():
        agency = form.cleaned_data[f"{role}_agency"]
        services.detention_update(actor=request.user, event=event, **{f"{role}_agency": agency})
        messages.success(request, f"Linked “{typed}” to {agency.name}; 287(g) snapshot filled.")
        return redirect("cases:to-link")
    context = {
        "event": event,
        "case": event.case,
        "role": role,
        "typed": typed,
        "form": form,
        "picker": picker_standings(form, date=event.event_date),
    }
    status = 400 if form.is_bound else 200
    return private(render(request, "cases/event_link.html", context, status=status))


def _first_unlinked(event) -> str | None:
    for role in AGENCY_ROLES:
        if getattr(event, f"{role}_agency_id") is None and getattr(event, f"{role}_agency_name"):
            return role
    return None


# Agency picker endpoints (htmx partials) ------------------------------------------------


def _parse_date(text: str):
    try:
        return parse_date(text.strip())
    except ValueError:  # well-formed but impossible, e.g. 2025-02-30
        return None


def _picker_params(request) -> dict:
    if not access_for(request.user).can_read_directory:
        raise PermissionDenied("No access to the agency directory.")
    role = request.GET.get("role", "")
    if role not in AGENCY_ROLES:
        raise Http404("Unknown agency role")
    prefix = request.GET.get("prefix", "")
    field = f"{prefix}-" if prefix else ""
    return {
        "role": role,
        "q": request.GET.get(f"{field}{role}_agency_name", "").strip()[:100],
        "state": request.GET.get(f"{field}state", "").strip().upper()[:2],
        "date": _parse_date(request.GET.get(f"{field}event_date", "")),
        "agency": request.GET.get(f"{field}{role}_agency", "").strip(),
    }


@login_required
@require_GET
def agency_autocomplete(request):
    """Options for the agency combobox: names and aliases within the event's state,
    with the models each agency had in force on the event date."""
    params = _picker_params(request)
    results = agency_suggestions(q=params["q"], state=params["state"], on_date=params["date"])
    context = {**params, "results": results}
    return render(request, "cases/_agency_options.html", context)


@login_required
@require_GET
def agency_standing(request):
    """The chosen agency's badges for the event date (refreshed when date/state/agency change)."""
    params = _picker_params(request)
    agency = standing = None
    if params["agency"]:
        try:
            agency = Agency.objects.get(public_id=params["agency"])
        except (Agency.DoesNotExist, ValueError, ValidationError):
            agency = None
    if agency is not None and params["date"]:
        standing = agency_standings_on(agency_ids=[agency.pk], on_date=params["date"]).get(
            agency.pk
        )
    context = {**params, "agency": agency, "standing": standing}
    return render(request, "cases/_agency_standing.html", context)


# Events the rebuilt 287(g) history reads differently ---------------------------------------


@login_required
@require_GET
def directory_queue(request):
    """Events of the user's cases whose stored snapshot differs from what the directory's
    history now says about their date (an import, a merge or a split changed it)."""
    events = selectors.events_directory_flagged(user=request.user)
    context = {
        "events": list(events[:TO_LINK_LIMIT]),
        "total": events.count(),
        "can_decide": access_for(request.user).can_review_scope,
    }
    audit_shown(request, context["events"], count=context["total"])
    return private(render(request, "cases/directory_queue.html", context))


@login_required
@require_POST
def directory_decide(request, public_id):
    event = selectors.event_get_for_user(user=request.user, public_id=public_id)
    accept = request.POST.get("decision") == "accept"
    try:
        services.event_directory_decide(actor=request.user, event=event, accept=accept)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        done = "Snapshot updated to the directory" if accept else "Stored snapshot kept"
        messages.success(request, f"{done}: {event.case.number}, {event}.")
    return redirect("cases:directory-queue")
