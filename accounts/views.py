from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import tokens, two_factor
from accounts.access import access_for
from accounts.middleware import two_factor_passed
from accounts.services import notifications_mark_read, sessions_end_everywhere
from audit.models import AuditAction, AuditEntry
from audit.services import audit_record

SIGN_IN_ACTIONS = [
    AuditAction.LOGIN,
    AuditAction.LOGIN_FAILED,
    AuditAction.LOCKOUT,
    AuditAction.TWO_FACTOR,
    AuditAction.TWO_FACTOR_FAILED,
]


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


def _profile(request, **extra):
    sign_ins = AuditEntry.objects.filter(
        target_id=str(request.user.public_id), action__in=SIGN_IN_ACTIONS
    )[:20]
    context = {
        "sign_ins": sign_ins,
        "recovery_codes_left": two_factor.recovery_codes_count(request.user),
        "api_tokens": request.user.api_tokens.all(),
        "may_use_api": bool(access_for(request.user).roles),
        "API_TOKEN_DAYS": settings.API_TOKEN_DAYS,
        "token_name": "",
        **extra,
    }
    status = 400 if extra.get("token_errors") else 200
    return _no_store(render(request, "accounts/profile.html", context, status=status))


@login_required
@require_GET
def profile(request):
    return _profile(request)


@login_required
@require_POST
def token_create(request):
    """A new API token; its key is on this one response only."""
    if not access_for(request.user).roles:
        raise PermissionDenied("Your account has no role yet.")
    name = request.POST.get("name", "")
    try:
        token, key = tokens.token_create(
            user=request.user, name=name, ip=request.META.get("REMOTE_ADDR")
        )
    except ValidationError as error:
        return _profile(request, token_errors=error.messages, token_name=name)
    return _profile(request, new_token=token, new_key=key)


@login_required
@require_POST
def token_revoke(request, public_id):
    tokens.token_revoke(user=request.user, public_id=public_id, ip=request.META.get("REMOTE_ADDR"))
    return redirect(f"{resolve_url('profile')}#api-tokens")


@login_required
@require_POST
def logout_everywhere(request):
    sessions_end_everywhere(user=request.user, ip=request.META.get("REMOTE_ADDR"))
    logout(request)
    return redirect("login")


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _no_store(response):
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_step(request):
    """The second sign-in step: a code from the authenticator app or a recovery code; on
    the first sign-in, setting the app up (QR code) and receiving recovery codes."""
    next_url = _next_url(request)
    if two_factor_passed(request):
        return redirect(next_url)
    device = two_factor.app_device(request.user)
    error = ""
    if device is None:
        device = two_factor.enrolment_device(request.user)
        if request.method == "POST":
            codes, error = two_factor.two_factor_enrol(
                request, device=device, token=request.POST.get("code", "")
            )
            if codes:
                context = {"codes": codes, "next": next_url, "first_time": True}
                return _no_store(render(request, "accounts/recovery_codes.html", context))
        context = {
            "error": error,
            "next": next_url,
            "qr_svg": two_factor.qr_svg(device),
            "secret": two_factor.secret_for_typing(device),
        }
        return _no_store(render(request, "accounts/two_factor_setup.html", context))
    if request.method == "POST":
        error = two_factor.two_factor_verify(request, token=request.POST.get("code", ""))
        if not error:
            return redirect(next_url)
    response = render(request, "accounts/two_factor.html", {"error": error, "next": next_url})
    return _no_store(response)


@login_required
@require_POST
def recovery_codes_replace(request):
    codes = two_factor.recovery_codes_replace(request)
    context = {"codes": codes, "next": resolve_url("profile"), "first_time": False}
    return _no_store(render(request, "accounts/recovery_codes.html", context))


class PasswordReset(auth_views.PasswordResetView):
    """The emailed link points at SITE_URL, never at the Host header of the request."""

    success_url = "/account/password/reset/sent/"

    @property
    def extra_email_context(self):
        site = urlsplit(settings.SITE_URL)
        return {"domain": site.netloc, "site_name": site.netloc, "protocol": site.scheme}


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's reset by emailed link; the new password passes the validators, ends the
    user's sessions and tokens (a new password hash) and is audited. The second factor
    is still asked at the next sign-in."""

    success_url = "/account/reset/done/"

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            target=form.user,
            summary=f"Password reset by emailed link: {form.user.username}",
            ip=self.request.META.get("REMOTE_ADDR"),
        )
        return response
