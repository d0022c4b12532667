"""Every access decision in one place.

Views, API viewsets, exports, reports and tasks ask these functions; none of them
looks at role grants or offices directly. DESIGN.md's access table is encoded here.
"""

from __future__ import annotations

from functools import cached_property

from accounts.models import Role


class Access:
    """What one user may do. Built once per request (`access_for`)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def roles(self) -> frozenset[str]:
        if not self.user.is_authenticated or not self.user.is_active:
            return frozenset()
        # Fixed codes only: Django groups grant nothing here, whatever they are called.
        return frozenset(self.user.role_grants.values_list("role", flat=True))

    @cached_property
    def office_ids(self) -> frozenset[int]:
        if not self.roles:
            return frozenset()
        return frozenset(self.user.offices.values_list("id", flat=True))

    def has(self, role: Role) -> bool:
        return role.value in self.roles

    # Cases ---------------------------------------------------------------
    @property
    def reads_all_offices(self) -> bool:
        return self.has(Role.DIRECTOR)

    @property
    def case_office_ids(self) -> frozenset[int] | None:
        """Offices whose cases the user may read; None means every office."""
        if self.reads_all_offices:
            return None
        if self.has(Role.CASEWORKER) or self.has(Role.ATTORNEY):
            return self.office_ids
        return frozenset()

    @property
    def can_read_cases(self) -> bool:
        return self.reads_all_offices or bool(self.case_office_ids)

    def can_write_case_in(self, office_id: int) -> bool:
        return (self.has(Role.CASEWORKER) or self.has(Role.ATTORNEY)) and (
            office_id in self.office_ids
        )

    @property
    def can_open_cases(self) -> bool:
        return (self.has(Role.CASEWORKER) or self.has(Role.ATTORNEY)) and bool(self.office_ids)

    # Privileged attorney work product -------------------------------------
    @property
    def reads_privileged(self) -> bool:
        """May read privileged work product somewhere (in `privileged_office_ids`)."""
        return self.has(Role.ATTORNEY) and bool(self.office_ids)

    @property
    def privileged_office_ids(self) -> frozenset[int]:
        """Offices whose privileged notes and reports the user may read: an attorney's own
        offices only, even when another role (director) lets them read all cases."""
        return self.office_ids if self.has(Role.ATTORNEY) else frozenset()

    def reads_privileged_in(self, office_id: int) -> bool:
        return office_id in self.privileged_office_ids

    @property
    def can_review_scope(self) -> bool:
        """Mark scope-flagged detention events as reviewed (a legal judgement)."""
        return self.has(Role.ATTORNEY)

    # Reports ---------------------------------------------------------------
    @property
    def can_request_quarterly(self) -> bool:
        return self.has(Role.DIRECTOR) or self.has(Role.ATTORNEY)

    @property
    def can_request_privileged_reports(self) -> bool:
        """Agency pattern and case chronology reports (own offices only)."""
        return self.has(Role.ATTORNEY)

    # Directory and administration -------------------------------------------
    @property
    def can_read_directory(self) -> bool:
        return bool(self.roles)

    @property
    def can_run_imports(self) -> bool:
        return self.has(Role.ADMIN)

    @property
    def can_manage_users(self) -> bool:
        return self.has(Role.ADMIN)

    @property
    def can_review_audit(self) -> bool:
        return self.has(Role.ADMIN) or self.has(Role.DIRECTOR)


def access_for(user) -> Access:
    """The user's Access, cached on the user object for the request."""
    cached = getattr(user, "_caseworker_access", None)
    if cached is None:
        cached = Access(user)
        if user.is_authenticated:
            user._caseworker_access = cached
    return cached
