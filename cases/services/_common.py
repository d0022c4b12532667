"""Helpers shared by the case services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.access import access_for
from cases.models import (
    Case,
)


def _snapshot(instance, fields) -> dict:
    return {name: getattr(instance, name) for name in fields}


def _require_case_write(actor, case: Case) -> None:
    if not access_for(actor).can_write_case_in(case.office_id):
        raise PermissionDenied("You may not change cases of this office.")
