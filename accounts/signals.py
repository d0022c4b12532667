"""Sign-in events into the audit trail: logins, failed logins (the admin's too), lockouts."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from audit.models import AuditAction
from audit.services import audit_sign_in


def _ip(request):
    return request.META.get("REMOTE_ADDR") if request is not None else None


def _user_named(username):
    return get_user_model().objects.filter(username=username).first() if username else None


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender, request, user, **kwargs):
    audit_sign_in(
        action=AuditAction.LOGIN,
        username=user.username,
        user=user,
        ip=_ip(request),
        summary="Signed in",
    )


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")
    audit_sign_in(
        action=AuditAction.LOGIN_FAILED,
        username=username,
        user=_user_named(username),
        ip=_ip(request),
        summary="Failed sign-in",
    )


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs):
    username = str(username or "")
    audit_sign_in(
        action=AuditAction.LOCKOUT,
        username=username,
        user=_user_named(username),
        ip=ip_address,
        summary="Locked out after repeated failures",
    )
