from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import access_for
from audit.reads import audit_shown
from cases.selectors import home_summary


@require_GET
@never_cache
def healthz(request):
    """Liveness for the load balancer and docker-compose: touches the database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse(
            {"status": "error", "database": str(exc.__class__.__name__)}, status=503
        )
    return JsonResponse({"status": "ok"})


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
    response = render(request, "home.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
