"""The one get-or-404: a missing, unreachable or malformed id is the same 404 everywhere."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def object_get_or_404(queryset: QuerySet[M], *, message: str = "Not found", **lookup) -> M:
    """Fetch one row; a malformed id (ValueError, TypeError, a bad UUID) is a 404, not a 400."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404(message) from None
