from django.contrib import admin

from accounts.admin_site import AdminRoleOnly
from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_id", "summary")
    list_filter = ("action", "target_type")
    search_fields = ("target_id", "summary", "actor__username")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
