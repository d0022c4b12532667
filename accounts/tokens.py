"""Personal API tokens: made, used, listed and revoked, every step audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken
from audit.models import AuditAction
from audit.services import audit_record

MAX_TOKENS_PER_USER = 10
# `last_used_at` is written at most this often, so busy scripts do not write every request.
LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


def key_digest(key: str) -> str:
    # A plain SHA-256 suffices: keys are 256 random bits, nothing to guess or brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name: str, ip: str | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with its key, which is never available again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the token after the script or computer using it."})
    if user.api_tokens.filter(expires_at__gt=timezone.now()).count() >= MAX_TOKENS_PER_USER:
        raise ValidationError(f"You have {MAX_TOKENS_PER_USER} tokens; revoke one first.")
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:80],
        key_hash=key_digest(key),
        key_prefix=key[:8],
        expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS),
    )
    audit_record(
        actor=user,
        action=AuditAction.CREATE,
        target=user,
        summary=f"API token created: {token} expires {token.expires_at:%Y-%m-%d}",
        changes={"token": str(token.public_id)},
        ip=ip,
    )
    return token, key


@transaction.atomic
def token_revoke(*, user, public_id, ip: str | None = None) -> bool:
    """Revoke one of `user`'s own tokens; another user's token id revokes nothing."""
    token = user.api_tokens.filter(public_id=public_id).first()
    if token is None:
        return False
    token.delete()
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        target=user,
        summary=f"API token revoked: {token}",
        changes={"token": str(token.public_id)},
        ip=ip,
    )
    return True


def token_authenticate(key: str, *, ip: str | None = None) -> ApiToken | None:
    """The live token with this key, its user active; records its use (audited on the
    first use of each day)."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_digest(key), expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    last = token.last_used_at
    if last is None or now - last >= LAST_USED_GRANULARITY:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            if last is None or timezone.localdate(last) != timezone.localdate(now):
                audit_record(
                    actor=token.user,
                    action=AuditAction.TOKEN_USED,
                    target=token.user,
                    summary=f"API token used (first use today): {token}",
                    changes={"token": str(token.public_id)},
                    ip=ip,
                )
        token.last_used_at = now
    return token
