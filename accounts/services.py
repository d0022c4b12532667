"""Notifying staff: an in-app notification and, where the user has an address, an email."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import Notification


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
