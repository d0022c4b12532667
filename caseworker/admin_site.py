"""The Django admin, open to the admin role only (not to is_staff)."""

from django.contrib import admin

from accounts.access import access_for


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
