"""The Django admin, open to the admin role only (not to is_staff)."""

import json

from django.contrib import admin

from accounts.access import access_for
from audit.models import AuditAction
from audit.services import audit_record


class CaseworkerAdminSite(admin.AdminSite):
    site_header = "Caseworker administration"

    def has_permission(self, request):
        return request.user.is_active and access_for(request.user).can_manage_users


class AdminRoleOnly:
    """ModelAdmin mixin: the admin role may use this model admin, nobody else."""

    def _allowed(self, request):
        return access_for(request.user).can_manage_users

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        # Nothing is hard-deleted from the UI (DESIGN.md invariants).
        return False

    # Admin changes (roles, offices, users) go to the audit log like every other change.
    def log_addition(self, request, obj, message):
        self._audit(request, obj, AuditAction.CREATE, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, AuditAction.UPDATE, message)
        return super().log_change(request, obj, message)

    def _audit(self, request, obj, action, message):
        text = message if isinstance(message, str) else json.dumps(message)
        audit_record(
            actor=request.user, action=action, target=obj, summary=f"Admin: {obj}: {text}"[:300]
        )


class ReadOnlyAdmin(AdminRoleOnly):
    """Shown to the admin role for review, never edited in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
