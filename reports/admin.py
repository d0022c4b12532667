from django.contrib import admin

from accounts.admin_site import ReadOnlyAdmin
from reports.models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("title", "kind", "status", "requested_by", "created_at", "finished_at")
    list_filter = ("kind", "status")
    # Metadata only: titles and parameters name cases, which the admin role may not see.
    fields = (
        "kind", "status", "attempts", "error", "requested_by", "created_at", "started_at",
        "finished_at", "checksum", "page_count",
    )  # fmt: skip
