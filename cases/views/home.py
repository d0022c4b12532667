from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import access_for
from audit.reads import audit_shown
from cases.selectors import home_summary
from caseworker.lib.web import login_required, private


@login_required
@require_GET
def home(request):
    """Per role: a caseworker's open cases, recent detentions and deadlines; an attorney's
    cases awaiting review too; a director's office totals."""
    access = access_for(request.user)
    context = {"access": access, **home_summary(user=request.user)}
    # The cases, detentions and deadlines listed (office totals name no one).
    lists = ("my_cases", "recent_events", "deadlines", "awaiting_review")
    audit_shown(request, [row for key in lists if key in context for row in context[key].rows])
    return private(render(request, "home.html", context))
