"""Saved searches."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from cases.models import (
    Case,
    CaseSearch,
)
from caseworker.lib.crypto import blind_index

# Saved searches and exports (issue 5) --------------------------------------------------

SAVED_SEARCH_DROP = ("page", "cursor", "page_size")


def saved_search_clean_query(*, actor, query: str) -> str:
    """The case-list query string to store: validated, without pagination, sorted."""
    from types import SimpleNamespace

    from django.http import QueryDict

    from cases.filters import CaseFilterSet

    params = QueryDict(query.lstrip("?"), mutable=True)
    for name in SAVED_SEARCH_DROP:
        params.pop(name, None)
    filterset = CaseFilterSet(
        params, queryset=Case.objects.none(), request=SimpleNamespace(user=actor)
    )
    if not filterset.is_valid():
        messages = [m for errors in filterset.errors.values() for m in errors]
        raise ValidationError({"query": messages})
    cleaned = QueryDict(mutable=True)
    for key in sorted(params):
        values = [v for v in params.getlist(key) if v != ""]
        if values:
            cleaned.setlist(key, values)
    text = cleaned.urlencode()
    if len(text) > 2000:
        raise ValidationError({"query": "This search is too long to save."})
    return text


def _saved_search_check_name(*, actor, name: str, exclude_id=None) -> str:
    from cases.models import SavedSearch

    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the search a name."})
    if len(name) > 100:
        raise ValidationError({"name": "Use at most 100 characters."})
    clash = SavedSearch.objects.filter(user=actor, name=name).exclude(id=exclude_id)
    if clash.exists():
        raise ValidationError({"name": "You already have a saved search with this name."})
    return name


@transaction.atomic
def saved_search_create(*, actor, name: str, query: str):
    from cases.models import SavedSearch

    search = SavedSearch(
        user=actor,
        name=_saved_search_check_name(actor=actor, name=name),
        query=saved_search_clean_query(actor=actor, query=query),
    )
    search.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=search, summary="Search saved")
    return search


@transaction.atomic
def saved_search_update(*, actor, saved_search, name: str | None = None, query: str | None = None):
    if name is not None:
        saved_search.name = _saved_search_check_name(
            actor=actor, name=name, exclude_id=saved_search.id
        )
    if query is not None:
        saved_search.query = saved_search_clean_query(actor=actor, query=query)
    saved_search.save()
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=saved_search, summary="Saved search changed"
    )
    return saved_search


@transaction.atomic
def saved_search_delete(*, actor, saved_search) -> None:
    """A saved search is the user's own preference, not client data: it may be deleted."""
    audit_record(
        actor=actor,
        action=AuditAction.ARCHIVE,
        target=saved_search,
        summary=f"Saved search deleted: {saved_search.name}",
    )
    saved_search.delete()


# Opaque search ids (issue 17) ------------------------------------------------------------


def search_stash(*, user, params: QueryDict) -> QueryDict:
    """`params` with its identifying terms replaced by an opaque search id (`s`).

    The terms are stored encrypted for this user until SEARCH_TTL_MINUTES after their last
    use; the same terms reuse the same id. Parameters without identifying terms come back
    as they are (minus an `s` they may carry, which they then replace)."""
    identifying = QueryDict(mutable=True)
    for name in CaseSearch.IDENTIFYING_PARAMS:
        values = [v for v in params.getlist(name) if v.strip()]
        if values:
            identifying.setlist(name, values)
    shareable = params.copy()
    for name in CaseSearch.IDENTIFYING_PARAMS:
        shareable.pop(name, None)
    if not identifying:
        return shareable
    terms = identifying.urlencode()
    digest = blind_index(f"{user.pk}:{terms}", purpose="search")
    now = timezone.now()
    expires = now + dt.timedelta(minutes=settings.SEARCH_TTL_MINUTES)
    CaseSearch.objects.filter(user=user, expires_at__lte=now).delete()
    search = CaseSearch.objects.filter(user=user, digest=digest).first()
    if search is None:
        search = CaseSearch.objects.create(
            token=secrets.token_urlsafe(16),
            user=user,
            digest=digest,
            params=terms,
            expires_at=expires,
        )
    else:
        CaseSearch.objects.filter(pk=search.pk).update(expires_at=expires)
    shareable[CaseSearch.PARAM] = search.token
    return shareable
