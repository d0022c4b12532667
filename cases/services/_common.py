"""Helpers shared by the case services."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied

from accounts.access import access_for
from audit.services import diff_fields
from cases.models import Case


def field_values(instance, fields: Iterable[str]) -> dict:
    """The current values of `fields` on `instance`, to compare before and after a change."""
    return {name: getattr(instance, name) for name in fields}


def model_update(
    instance,
    *,
    fields: Iterable[str],
    data: dict,
    redact: Iterable[str] = (),
    normalise: Callable | None = None,
) -> dict:
    """Set the `fields` given in `data` on `instance` (others in `data` are ignored) and
    return what changed, as the audit records it ({field: [before, after]}; empty when
    nothing did). `normalise(instance)` runs before comparing, so a value typed in another
    form of the same thing is no change. The caller validates, saves and audits."""
    fields = tuple(fields)
    before = field_values(instance, fields)
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])
    if normalise is not None:
        normalise(instance)
    return diff_fields(before, field_values(instance, fields), redact=redact)


def _require_case_write(actor, case: Case) -> None:
    if not access_for(actor).can_write_case_in(case.office_id):
        raise PermissionDenied("You may not change cases of this office.")
