from django.contrib import admin

from caseworker.admin_site import AdminRoleOnly
from reports.models import Report


@admin.register(Report)
class ReportAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("title", "kind", "status", "requested_by", "created_at", "finished_at")
    list_filter = ("kind", "status")
    readonly_fields = ("checksum", "pdf", "xlsx", "csv_zip", "manifest", "case_ids")
