"""The case page (one timeline) and its write actions: status, assignment, notes,
deadlines. Each action is a plain POST that redirects back (or re-renders with errors)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import access_for
from accounts.models import Role
from cases import selectors, services
from cases.forms import (
    AssignForm,
    AttachmentForm,
    DeadlineForm,
    HoldForm,
    NoteForm,
    StatusForm,
)
from cases.forms import add_service_errors as _apply
from cases.views.common import require_case_write
from caseworker.lib.web import client_ip, login_required, private


def render_case(request, case, *, status=200, **bound):
    """The case page, with any bound (invalid) form in place of the empty one."""
    access = access_for(request.user)
    can_write = access.can_write_case_in(case.office_id)
    context = {
        "case": case,
        "client": case.client,
        "can_write": can_write,
        # Litigation holds are an attorney's call (cases.services.retention checks too).
        "can_hold": can_write and access.has(Role.ATTORNEY),
        "hold_form": bound.get("hold_form") or HoldForm(),
        "today_date": timezone.localdate(),
        **selectors.case_timeline(user=request.user, case=case),
    }
    if can_write:
        staff = selectors.office_staff(office=case.office)
        context.update(
            note_form=bound.get("note_form")
            or NoteForm(can_privilege=access.reads_privileged_in(case.office_id)),
            deadline_form=bound.get("deadline_form") or DeadlineForm(),
            attachment_form=bound.get("attachment_form") or AttachmentForm(),
            status_form=bound.get("status_form")
            or StatusForm(
                initial={"status": case.status, "outcome": case.outcome, "closed_on": None}
            ),
            assign_form=bound.get("assign_form")
            or AssignForm(
                staff=staff,
                initial={
                    "caseworker": case.caseworker.public_id if case.caseworker else "",
                    "attorney": case.attorney.public_id if case.attorney else "",
                },
            ),
        )
    return private(render(request, "cases/case_detail.html", context, status=status))


def _case_for_page(request, public_id):
    """A case for its page. Showing a case shows its client, so the read is audited."""
    case = selectors.case_get_for_user(user=request.user, public_id=public_id)
    services.case_read_record(user=request.user, case=case, ip=client_ip(request))
    return case


def _writable_case(request, public_id):
    case = selectors.case_get_for_user(user=request.user, public_id=public_id)
    require_case_write(request, case)
    return case


@login_required
@require_GET
def case_detail(request, public_id):
    return render_case(request, _case_for_page(request, public_id))


@login_required
@require_POST
def case_status(request, public_id):
    case = _writable_case(request, public_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.case_set_status(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _apply(exc, {"": form})
        else:
            messages.success(request, f"Status: {case.get_status_display()}.")
            return redirect("cases:detail", case.public_id)
    return render_case(request, _case_for_page(request, public_id), status=400, status_form=form)


@login_required
@require_POST
def case_hold(request, public_id):
    """Set (with a reason) or lift the case's litigation hold."""
    case = _writable_case(request, public_id)
    if request.POST.get("action") == "lift":
        services.legal_hold_lift(actor=request.user, target=case)
        messages.success(request, "Litigation hold lifted.")
        return redirect("cases:detail", case.public_id)
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            services.legal_hold_set(
                actor=request.user, target=case, reason=form.cleaned_data["hold_reason"]
            )
        except ValidationError as exc:
            _apply(exc, {"": form})
        else:
            messages.success(request, "Litigation hold set: retention will not touch this case.")
            return redirect("cases:detail", case.public_id)
    return render_case(request, _case_for_page(request, public_id), status=400, hold_form=form)


@login_required
@require_POST
def case_assign(request, public_id):
    case = _writable_case(request, public_id)
    form = AssignForm(request.POST, staff=selectors.office_staff(office=case.office))
    if form.is_valid():
        try:
            services.case_assign(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _apply(exc, {"": form})
        else:
            messages.success(request, "Assignment saved.")
            return redirect("cases:detail", case.public_id)
    return render_case(request, _case_for_page(request, public_id), status=400, assign_form=form)


@login_required
@require_POST
def note_create(request, public_id):
    case = _writable_case(request, public_id)
    form = NoteForm(
        request.POST, can_privilege=access_for(request.user).reads_privileged_in(case.office_id)
    )
    if form.is_valid():
        try:
            services.note_add(
                actor=request.user,
                case=case,
                body=form.cleaned_data["body"],
                privileged=form.cleaned_data.get("privileged", False),
            )
        except ValidationError as exc:
            _apply(exc, {"": form})
        else:
            messages.success(request, "Note added.")
            # ?saved= clears the note's draft kept in the browser (app.js).
            url = reverse("cases:detail", args=[case.public_id])
            return redirect(f"{url}?saved=note-{case.public_id}")
    return render_case(request, _case_for_page(request, public_id), status=400, note_form=form)


@login_required
@require_POST
def deadline_create(request, public_id):
    case = _writable_case(request, public_id)
    form = DeadlineForm(request.POST)
    if form.is_valid():
        try:
            services.deadline_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _apply(exc, {"": form})
        else:
            messages.success(request, "Deadline added.")
            return redirect("cases:detail", case.public_id)
    return render_case(request, _case_for_page(request, public_id), status=400, deadline_form=form)
