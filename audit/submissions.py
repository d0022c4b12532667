"""One submission, one record: writes keyed by a one-time token.

Pages put a token in a hidden field (`submission_token`); API clients send an
`Idempotency-Key` header. The write's transaction first claims the token
(`submission_claim`), so of ten identical requests one writes and the others, held by the
unique index until it commits, get its outcome (`Repeat`). A failed write rolls its claim
back, so correcting the form and sending it again works. Tokens are honoured for a day.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from audit.models import Submission

KEEP = dt.timedelta(days=1)


class Repeat(Exception):  # noqa: N818 - a repeat is not an error
    """The token was used: `outcome` is what its first request recorded."""

    def __init__(self, outcome: dict):
        super().__init__("already submitted")
        self.outcome = outcome


def submission_token(request) -> str:
    """The form's token: the one posted back (a re-rendered form keeps it), or a new one."""
    posted = request.POST.get("submission", "")
    try:
        return uuid.UUID(posted).hex
    except ValueError:
        return uuid.uuid4().hex


def submission_seen(*, user, token: str) -> dict | None:
    """The outcome of a committed first request with this token, if there was one: a form
    sent again can go straight to it, before any check that the first one changed."""
    if not token:
        return None
    first = Submission.objects.filter(user=user, token=token[:200]).values("outcome").first()
    return first["outcome"] if first and first["outcome"] else None


def submission_claim(*, user, token: str) -> Submission | None:
    """Claim `token` inside the caller's transaction, before it writes. None without a
    token (nothing to deduplicate on); raises Repeat if the token was used."""
    if not token:
        return None
    token = token[:200]
    Submission.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    try:
        with transaction.atomic():
            return Submission.objects.create(user=user, token=token)
    except IntegrityError:
        first = Submission.objects.filter(user=user, token=token).values("outcome").first()
        raise Repeat(first["outcome"] if first else {}) from None


def submission_finish(claim: Submission | None, outcome: dict) -> None:
    """Record what the first request answered, for its repeats."""
    if claim is not None:
        Submission.objects.filter(pk=claim.pk).update(outcome=outcome)


class IdempotentCreateMixin:
    """DRF create with an optional `Idempotency-Key` header: a replay within a day gets the
    first answer (status and body) and writes nothing."""

    def create(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "")
        if not key:
            return super().create(request, *args, **kwargs)
        try:
            with transaction.atomic():
                claim = submission_claim(user=request.user, token=f"api {request.path} {key}")
                response = super().create(request, *args, **kwargs)
                if response.status_code >= 400:
                    transaction.set_rollback(True)  # a refused request may be corrected
                else:
                    submission_finish(
                        claim, {"status": response.status_code, "body": response.data}
                    )
                return response
        except Repeat as repeat:
            outcome = repeat.outcome
            return Response(outcome.get("body"), status=outcome.get("status", 409))
