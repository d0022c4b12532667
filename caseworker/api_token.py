"""The "API token" page: a user creates, replaces or revokes their own REST API token.

The key is shown once, right after it is made; afterwards the page only says that a
token exists and since when. Every change is audited. Send it as
`Authorization: Token <key>` (see /api/v1/docs/).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from accounts.access import access_for
from audit.models import AuditAction
from audit.services import audit_record


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    if not access_for(request.user).roles:
        raise PermissionDenied("Your account has no role yet.")
    user = request.user
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        with transaction.atomic():
            Token.objects.filter(user=user).delete()
            if action == "create":
                new_key = Token.objects.create(user=user).key
        if action == "create":
            summary = "API token created (any previous one revoked)"
        else:
            summary = "API token revoked"
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            target=user,
            summary=summary,
            ip=request.META.get("REMOTE_ADDR"),
        )
    token = Token.objects.filter(user=user).first()
    response = render(request, "api/token.html", {"token": token, "new_key": new_key})
    response["Cache-Control"] = "private, no-store"
    return response
