"""Upcoming deadlines across the user's cases, and marking one done."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.access import access_for
from audit.reads import audit_shown
from cases import selectors, services
from cases.views.common import require_case_reader, require_case_write
from caseworker.lib.web import login_required, private

WINDOWS = (7, 14, 30, 90)
LIST_LIMIT = 500


@login_required
@require_GET
def deadline_list(request):
    require_case_reader(request)
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in WINDOWS else 30
    mine = request.GET.get("mine") == "1"
    deadlines = selectors.deadlines_upcoming(user=request.user, days=days, mine=mine)
    access = access_for(request.user)
    rows = list(deadlines[:LIST_LIMIT])
    audit_shown(request, rows)
    context = {
        "deadlines": rows,
        "writable": {d.pk for d in rows if access.can_write_case_in(d.case.office_id)},
        "truncated": len(rows) == LIST_LIMIT,
        "days": days,
        "windows": WINDOWS,
        "mine": mine,
        "today": timezone.localdate(),
    }
    return private(render(request, "cases/deadlines.html", context))


@login_required
@require_POST
def deadline_done(request, public_id):
    deadline = selectors.deadline_get_for_user(user=request.user, public_id=public_id)
    require_case_write(request, deadline.case)
    done = request.POST.get("done", "1") == "1"
    services.deadline_set_done(actor=request.user, deadline=deadline, done=done)
    messages.success(request, f"{deadline} marked {'done' if done else 'not done'}.")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("cases:detail", deadline.case.public_id)
