"""Case data in the admin: read-only, and under the same access rule as everywhere else.

The admin role has no case access by default (DESIGN.md), so these lists are empty
for a plain admin; they exist for an admin who is also, say, a director. Case data is
changed only through the app's pages and API, which validate and audit every write.
Saved searches are private to their owner and are not in the admin at all.
"""

from django.contrib import admin

from accounts.admin_site import ReadOnlyAdmin
from cases.models import (
    Attachment,
    Case,
    CaseCounter,
    Client,
    Deadline,
    DetentionEvent,
    Intake,
    Note,
)


class VisibleOnly(ReadOnlyAdmin):
    case_path = "case"

    def get_queryset(self, request):
        visible = Case.objects.visible_to(request.user)
        qs = super().get_queryset(request)
        if self.case_path == "self":
            return qs.filter(pk__in=visible.values("pk"))
        if self.case_path == "client":
            return qs.filter(pk__in=visible.values("client_id"))
        return qs.filter(**{f"{self.case_path}__in": visible})


@admin.register(Client)
class ClientAdmin(VisibleOnly, admin.ModelAdmin):
    case_path = "client"
    list_display = ("family_names", "given_names", "country_of_birth", "created_at")
    search_fields = ("search_name",)
    exclude = ("a_number",)


@admin.register(Case)
class CaseAdmin(VisibleOnly, admin.ModelAdmin):
    case_path = "self"
    list_display = ("number", "office", "status", "caseworker", "attorney", "opened_on")
    list_filter = ("status", "office")
    search_fields = ("number",)
    list_select_related = ("office", "caseworker", "attorney")
    raw_id_fields = ("client",)


@admin.register(Intake)
class IntakeAdmin(VisibleOnly, admin.ModelAdmin):
    list_display = ("case", "received_on", "channel", "staff")
    list_filter = ("channel",)
    list_select_related = ("case", "staff")


@admin.register(DetentionEvent)
class DetentionEventAdmin(VisibleOnly, admin.ModelAdmin):
    list_display = ("case", "event_date", "encounter", "arresting_agency", "custody_agency")
    list_filter = ("encounter", "outcome", "state")
    list_select_related = ("case", "arresting_agency", "custody_agency")
    raw_id_fields = ("arresting_agency", "custody_agency", "case")


@admin.register(Note)
class NoteAdmin(VisibleOnly, admin.ModelAdmin):
    list_display = ("case", "created_at", "privileged")

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(privileged=False)
        )  # work product never shows in the admin


@admin.register(Attachment)
class AttachmentAdmin(VisibleOnly, admin.ModelAdmin):
    list_display = ("original_name", "case", "size", "created_at")


@admin.register(Deadline)
class DeadlineAdmin(VisibleOnly, admin.ModelAdmin):
    list_display = ("case", "kind", "due_on", "done_at")
    list_filter = ("kind",)


@admin.register(CaseCounter)
class CaseCounterAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("year", "last")
