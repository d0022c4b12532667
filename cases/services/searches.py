"""Saved searches."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record
from cases.models import (
    Case,
)

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
