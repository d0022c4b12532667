from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.services import notifications_mark_read, sessions_end_everywhere
from audit.models import AuditAction, AuditEntry


@login_required
@require_GET
def notifications(request):
    items = request.user.notifications.all()[:200]
    return render(request, "accounts/notifications.html", {"items": items})


@login_required
@require_POST
def notifications_read(request):
    notifications_mark_read(user=request.user)
    return redirect("notifications")


@login_required
@require_GET
def profile(request):
    sign_ins = AuditEntry.objects.filter(
        target_id=str(request.user.public_id),
        action__in=[AuditAction.LOGIN, AuditAction.LOGIN_FAILED, AuditAction.LOCKOUT],
    )[:20]
    return render(request, "accounts/profile.html", {"sign_ins": sign_ins})


@login_required
@require_POST
def logout_everywhere(request):
    sessions_end_everywhere(user=request.user, ip=request.META.get("REMOTE_ADDR"))
    logout(request)
    return redirect("login")
