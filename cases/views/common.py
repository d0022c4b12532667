"""The access rules the case pages add to the shared web helpers (caseworker.lib.web)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.access import access_for


def require_case_reader(request) -> None:
    """Case lists are for staff with a case role; an admin without one gets a 403."""
    if not access_for(request.user).can_read_cases:
        raise PermissionDenied("Your role has no access to cases.")


def require_case_write(request, case) -> None:
    """Readers who may not write (directors) get a 403 on a case they can see."""
    if not access_for(request.user).can_write_case_in(case.office_id):
        raise PermissionDenied("You may read this case but not change it.")
