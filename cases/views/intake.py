"""Intake during a hotline call: one page, duplicate check, optional first detention."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import access_for
from accounts.models import Office
from audit.reads import audit_shown
from audit.submissions import (
    Repeat,
    submission_claim,
    submission_finish,
    submission_seen,
    submission_token,
)
from cases import selectors, services
from cases.forms import ClientForm, DetentionEventForm, IntakeForm, add_service_errors
from cases.views.events import picker_standings
from caseworker.lib.web import form_and_rules_valid, login_required, private

EVENT_PREFIX = "event"


def _offices(user):
    access = access_for(user)
    if not access.can_open_cases:
        raise PermissionDenied("Only caseworkers and attorneys record intakes.")
    return Office.objects.filter(pk__in=access.office_ids).order_by("name")


EVENT_DEFAULTS = {f"{EVENT_PREFIX}-date_precision", f"{EVENT_PREFIX}-outcome"}


def _wants_event(data) -> bool:
    """Log the event when asked, or when detention details were typed (never drop them)."""
    if data.get("log_event"):
        return True
    return any(
        value.strip()
        for key, value in data.items()
        if key.startswith(f"{EVENT_PREFIX}-") and key not in EVENT_DEFAULTS
    )


def _resolve_choice(choice: str, report) -> tuple[str, object]:
    """('link', client) / ('new', None) / ('ask', None) from the duplicate panel's radio."""
    if report.a_number_client is not None and not report.a_number_visible:
        # Knowing an A-number must not open another office's client record: the
        # intake stays on screen until that office or a director deals with it.
        return "ask", None
    if choice == "a_number" and report.a_number_client is not None:
        return "link", report.a_number_client
    if choice.startswith("client:"):
        wanted = choice.removeprefix("client:")
        for candidate in report.candidates:
            if str(candidate.client.public_id) == wanted:
                return "link", candidate.client
    if choice == "new" and report.a_number_client is None:
        return "new", None
    return "ask", None


@login_required
@require_http_methods(["GET", "POST"])
def intake(request):
    offices = _offices(request.user)
    data = request.POST if request.method == "POST" else None
    client_form = ClientForm(data)
    intake_form = IntakeForm(data, offices=offices)
    wants_event = data is not None and _wants_event(data)
    # Unbound when no detention was typed: an untouched optional section shows no errors.
    event_form = DetentionEventForm(data if wants_event else None, prefix=EVENT_PREFIX)
    report, choice = None, (data or {}).get("duplicate_choice", "")
    if data is not None:
        valid = form_and_rules_valid(client_form, services.client_validate, _cleaned)
        valid &= form_and_rules_valid(intake_form, services.intake_validate, _cleaned)
        if wants_event:
            valid &= form_and_rules_valid(event_form, services.detention_validate, _event_fields)
        if client_form.is_valid():
            # Checked even when other fields have errors, so the panel shows with them.
            c = client_form.cleaned_data
            report = selectors.client_duplicates(
                user=request.user,
                given_names=c["given_names"],
                family_names=c["family_names"],
                date_of_birth=c["date_of_birth"],
                a_number=c["a_number"],
            )
        if valid:
            # Sent again (a double click): the first one's case, not its client offered as a
            # possible duplicate of itself. Checked after the duplicate search, so a first
            # submission committed before that search is seen here too.
            first = submission_seen(user=request.user, token=data.get("submission", ""))
            if first:
                messages.info(request, "This intake was already saved; here is its case.")
                return redirect(first["url"])
            decision, existing = _resolve_choice(choice, report) if report else ("new", None)
            if decision != "ask":
                seen = {found.client.pk for found in report.candidates} if report else set()
                saved = _save(
                    request, client_form, intake_form, event_form, existing, wants_event, seen
                )
                if saved is not None:
                    return saved
    context = {
        "client_form": client_form,
        "intake_form": intake_form,
        "event_form": event_form,
        "wants_event": wants_event,
        "duplicates": report,
        "choice": choice,
        "bound": data is not None,
        "picker": picker_standings(event_form),
        "submission": submission_token(request),
    }
    status = 400 if _has_errors(context) else 200
    return private(render(request, "cases/intake.html", context, status=status))


def _cleaned(form):
    return form.cleaned_data


def _event_fields(form):
    return form.service_fields()


def _has_errors(context) -> bool:
    return any(context[name].errors for name in ("client_form", "intake_form", "event_form"))


def _save(request, client_form, intake_form, event_form, existing, wants_event, seen):
    intake_data = dict(intake_form.cleaned_data)
    office = intake_data.pop("office")
    intake_data.pop("log_event", None)
    client_fields = dict(client_form.cleaned_data)
    try:
        with transaction.atomic():
            claim = submission_claim(user=request.user, token=submission_token(request))
            record = services.intake_record(
                actor=request.user,
                office=office,
                client=existing,
                client_fields=client_fields,
                intake=intake_data,
                event=event_form.service_fields() if wants_event else None,
                seen=seen,
            )
            filled, differing = [], []
            if existing is not None:
                filled, differing = services.client_fill_blanks(
                    actor=request.user, client=existing, fields=client_fields
                )
            done = reverse("cases:detail", args=[record.case.public_id]) + "?saved=intake"
            submission_finish(claim, {"url": done})
    except ValidationError as exc:
        add_service_errors(exc, {"": client_form, "intake": intake_form, EVENT_PREFIX: event_form})
        return None
    except Repeat as repeat:  # a double click or a resent form: show what the first one saved
        messages.info(request, "This intake was already saved; here is its case.")
        return redirect(repeat.outcome.get("url") or "cases:list")
    case = record.case
    if existing is None:
        messages.success(request, f"Intake saved: case {case.number} opened for {case.client}.")
    else:
        text = f"Intake saved: case {case.number} opened for existing client {case.client}."
        if filled:
            text += f" Added to their record: {', '.join(filled)}."
        if differing:
            text += (
                f" Not changed (their record says otherwise — check it): {', '.join(differing)}."
            )
        messages.success(request, text)
    return redirect(done)


@login_required
@require_GET
def duplicates(request):
    """The duplicate panel, refreshed while the caller spells the name (htmx)."""
    _offices(request.user)
    form = ClientForm(request.GET)
    form.is_valid()  # partial data is fine: use whatever parsed
    data = form.cleaned_data
    given, family = data.get("given_names", ""), data.get("family_names", "")
    a_number = (request.GET.get("a_number") or "").strip()
    report = None
    if family or a_number:
        report = selectors.client_duplicates(
            user=request.user,
            given_names=given,
            family_names=family,
            date_of_birth=data.get("date_of_birth"),
            a_number=a_number,
        )
    audit_shown(request, [found.client for found in report.candidates] if report else [])
    context = {"duplicates": report, "choice": request.GET.get("duplicate_choice", "")}
    return private(render(request, "cases/_duplicates.html", context))
