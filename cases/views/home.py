from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import access_for
from cases.selectors import home_summary
from caseworker.lib.web import login_required, private


@login_required
@require_GET
def home(request):
    """Per role: a caseworker's open cases, recent detentions and deadlines; an attorney's
    cases awaiting review too; a director's office totals."""
    access = access_for(request.user)
    context = {"access": access, **home_summary(user=request.user)}
    return private(render(request, "home.html", context))
