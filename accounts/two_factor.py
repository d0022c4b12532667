"""Two-factor sign-in with django-otp: an authenticator app (TOTP) and one-time recovery
codes (a static device). Every step is audited; the session is marked as passed only by
`_pass`, which cycles the session key first."""

from __future__ import annotations

import secrets
from base64 import b32encode

import django_otp
import qrcode
import qrcode.image.svg
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import access_for
from accounts.services import sessions_salt_rotate, tokens_revoke
from audit.models import AuditAction
from audit.services import audit_record

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def _ip(request):
    return request.META.get("REMOTE_ADDR")


def app_device(user, *, confirmed=True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being set up; the same secret until it is confirmed,
    so reloading the page does not invalidate a QR code already scanned."""
    device = app_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for apps set up by typing instead of scanning."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG: no image request, nothing for CSP to block."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def recovery_codes_count(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _recovery_codes_new(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _pass(request, device) -> None:
    request.session.cycle_key()
    django_otp.login(request, device)


def _check(request, device, token: str, how: str) -> str:
    """Verify `token` on `device`; "" when accepted, else the error to show (audited).

    django-otp refuses any code while a device waits out its throttle (doubling after each
    wrong code); that is told apart from a wrong code so the user knows to wait."""
    allowed, _ = device.verify_is_allowed()
    if allowed and device.verify_token(token):
        return ""
    audit_record(
        actor=request.user,
        action=AuditAction.TWO_FACTOR_FAILED,
        target=request.user,
        summary=f"Wrong {how}" if allowed else f"{how.capitalize()} tried while throttled",
        ip=_ip(request),
    )
    if not allowed:
        return "Too many wrong codes. Wait a few seconds before trying again."
    return "That code is not right. Check the time on your phone and try the newest code."


@transaction.atomic
def two_factor_enrol(request, *, device: TOTPDevice, token: str) -> tuple[list[str], str]:
    """Confirm the authenticator with its first code. Returns (recovery codes, error)."""
    error = _check(request, device, token.strip().replace(" ", ""), "set-up code")
    if error:
        return [], error
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # A reset may have left an older, confirmed app behind: one app per user.
    TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    codes = _recovery_codes_new(request.user)
    _pass(request, device)
    audit_record(
        actor=request.user,
        action=AuditAction.TWO_FACTOR,
        target=request.user,
        summary="Two-factor set up: authenticator app and new recovery codes",
        ip=_ip(request),
    )
    return codes, ""


@transaction.atomic
def two_factor_verify(request, *, token: str) -> str:
    """Check a code from the app or a recovery code (used up). Returns an error or ""."""
    token = token.strip().replace(" ", "").lower()
    user = request.user
    if token.isdigit():
        device, how = app_device(user), "authenticator code"
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
        how = "recovery code"
    if device is None:
        return "That code is not right."
    # Lock the device row so two simultaneous tries cannot both use one recovery code or
    # step around the throttle.
    device = type(device).objects.select_for_update().get(pk=device.pk)
    error = _check(request, device, token, how)
    if error:
        return error
    _pass(request, device)
    summary = "Second factor passed"
    if isinstance(device, StaticDevice):
        summary = f"Second factor passed with a recovery code ({device.token_set.count()} left)"
    audit_record(
        actor=user, action=AuditAction.TWO_FACTOR, target=user, summary=summary, ip=_ip(request)
    )
    return ""


@transaction.atomic
def recovery_codes_replace(request) -> list[str]:
    codes = _recovery_codes_new(request.user)
    audit_record(
        actor=request.user,
        action=AuditAction.TWO_FACTOR,
        target=request.user,
        summary="Recovery codes replaced (the old ones no longer work)",
        ip=_ip(request),
    )
    return codes


def two_factor_reset_check(*, actor, user) -> None:
    if actor.pk == user.pk:
        raise PermissionDenied("Nobody may reset their own second factor.")
    if not ((actor.is_superuser and actor.is_active) or access_for(actor).can_manage_users):
        raise PermissionDenied("Only an admin resets a second factor.")


@transaction.atomic
def two_factor_reset(*, actor, user, ip: str | None = None) -> None:
    """For a lost phone: remove the user's devices and end their sessions and tokens; they
    set up a new authenticator at their next sign-in."""
    two_factor_reset_check(actor=actor, user=user)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    sessions_salt_rotate(user)
    tokens_revoke(user=user, reason="second factor reset")
    audit_record(
        actor=actor,
        action=AuditAction.TWO_FACTOR,
        target=user,
        summary=f"Second factor reset by an admin for {user.username}; sessions ended",
        ip=ip,
    )
