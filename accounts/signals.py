"""Sign-in events into the audit trail (logins, failed logins, the admin's too, lockouts);
session timestamps; tokens revoked on password change and deactivation."""

import time

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import pre_save
from django.dispatch import receiver

from accounts.middleware import SESSION_SEEN, SESSION_STARTED
from accounts.services import tokens_revoke
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


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="revoke_tokens")
def revoke_tokens_on_password_change_or_deactivation(sender, instance, update_fields, **kwargs):
    if instance.pk is None or (
        update_fields and not {"password", "is_active"} & set(update_fields)
    ):
        return
    before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password:
        tokens_revoke(user=instance, reason="password changed")
    elif before["is_active"] and not instance.is_active:
        tokens_revoke(user=instance, reason="account deactivated")


@receiver(user_logged_in, dispatch_uid="session_started")
def session_started(sender, request, user, **kwargs):
    now = int(time.time())
    request.session[SESSION_STARTED] = request.session[SESSION_SEEN] = now
