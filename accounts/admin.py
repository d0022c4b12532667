from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from accounts.models import Notification, Office, User
from caseworker.admin_site import AdminRoleOnly

admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(AdminRoleOnly, BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "roles")
    list_filter = ("is_active", "groups", "offices")

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(g.name for g in obj.groups.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


@admin.register(Office)
class OfficeAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("name", "code", "created_at")
    search_fields = ("name", "code")
    filter_horizontal = ("members",)


@admin.register(Group)
class GroupAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("name",)


@admin.register(Notification)
class NotificationAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("user", "created_at", "read_at", "message")
    list_filter = ("read_at",)
    search_fields = ("user__username", "message")
