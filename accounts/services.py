"""Staff: notifications, and granting roles and office membership (checked and audited)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.access import access_for
from accounts.models import Notification, Role, RoleGrant
from audit.models import AuditAction
from audit.services import audit_record


def notify(*, user, message: str, url: str = "", email_subject: str = "") -> Notification:
    """Create the notification now; send the email after the surrounding commit.

    Messages must not carry client PII beyond case numbers: emails leave the server.
    """
    note = Notification.objects.create(user=user, message=message, url=url)
    if email_subject and user.email:
        link = f"{settings.SITE_URL}{url}" if url else settings.SITE_URL
        transaction.on_commit(
            lambda: send_mail(
                email_subject,
                f"{message}\n\n{link}",
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
                fail_silently=True,
            )
        )
    return note


def notifications_mark_read(*, user) -> int:
    return user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())


def role_change_check(*, actor, user, role: Role) -> None:
    """Raise PermissionDenied unless `actor` may grant or remove `role` for `user`.

    Nobody changes their own roles; attorney (privileged work product) only by a director
    or a superuser created on the command line; other roles by an admin or a director.
    """
    if actor.pk == user.pk:
        raise PermissionDenied("Nobody may change their own roles.")
    access = access_for(actor)
    if actor.is_superuser and actor.is_active:
        return
    if Role(role) == Role.ATTORNEY:
        if not access.has(Role.DIRECTOR):
            raise PermissionDenied("Only a director grants or removes the attorney role.")
    elif not (access.has(Role.ADMIN) or access.has(Role.DIRECTOR)):
        raise PermissionDenied("Only an admin or a director grants roles.")


@transaction.atomic
def role_grant(*, actor, user, role: Role, ip: str | None = None) -> RoleGrant:
    role_change_check(actor=actor, user=user, role=role)
    grant, created = RoleGrant.objects.get_or_create(
        user=user, role=Role(role).value, defaults={"granted_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=user,
            summary=f"Role granted: {Role(role).label} to {user.username}",
            changes={"role_granted": Role(role).value},
            ip=ip,
        )
    return grant


@transaction.atomic
def role_revoke(*, actor, user, role: Role, ip: str | None = None) -> bool:
    role_change_check(actor=actor, user=user, role=role)
    deleted, _ = RoleGrant.objects.filter(user=user, role=Role(role).value).delete()
    if deleted:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=user,
            summary=f"Role removed: {Role(role).label} from {user.username}",
            changes={"role_removed": Role(role).value},
            ip=ip,
        )
    return bool(deleted)


def membership_change_check(*, actor, user) -> None:
    """Office membership decides whose cases a user reads: admins (or a superuser) change
    it, never their own."""
    if actor.pk == user.pk:
        raise PermissionDenied("Nobody may change their own office membership.")
    if not ((actor.is_superuser and actor.is_active) or access_for(actor).can_manage_users):
        raise PermissionDenied("Only an admin changes office membership.")


@transaction.atomic
def office_membership_set(*, actor, office, members, ip: str | None = None) -> None:
    """Make `members` the office's members, checking and auditing each addition/removal."""
    before = set(office.members.all())
    after = set(members)
    for user in before ^ after:
        membership_change_check(actor=actor, user=user)
    for user in sorted(after - before, key=lambda u: u.pk):
        office.members.add(user)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=user,
            summary=f"Office membership added: {user.username} to {office.code}",
            changes={"office_added": office.code},
            ip=ip,
        )
    for user in sorted(before - after, key=lambda u: u.pk):
        office.members.remove(user)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=user,
            summary=f"Office membership removed: {user.username} from {office.code}",
            changes={"office_removed": office.code},
            ip=ip,
        )


def tokens_revoke(*, user, reason: str) -> int:
    """Delete the user's API tokens (password change, deactivation, log out everywhere)."""
    deleted, _ = user.api_tokens.all().delete()
    if deleted:
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            target=user,
            summary=f"API tokens revoked ({reason})",
        )
    return deleted


def sessions_salt_rotate(user) -> None:
    """A new salt in every session's auth hash: all the user's sessions end at once."""
    user.session_salt = secrets.token_hex(16)
    user.save(update_fields=["session_salt"])


@transaction.atomic
def sessions_end_everywhere(*, user, ip: str | None = None) -> None:
    """End every session and token of the user, this browser's included."""
    sessions_salt_rotate(user)
    tokens_revoke(user=user, reason="logged out everywhere")
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        target=user,
        summary="Logged out everywhere",
        ip=ip,
    )
