"""Agencies and the 287(g) directory in the admin. Agreements, their periods and history
change only through imports (which record every change), so they are read-only here."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from accounts.admin_site import AdminRoleOnly, ReadOnlyAdmin
from agencies.models import (
    Agency,
    AgencyAlias,
    Agreement,
    AgreementChange,
    AgreementImport,
    AgreementPeriod,
    RenameCandidate,
)
from agencies.services import agencies_merge, alias_split, rename_dismiss


class AliasInline(admin.TabularInline):
    model = AgencyAlias
    extra = 0


@admin.register(Agency)
class AgencyAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("name", "state", "county", "kind", "ori")
    list_filter = ("state", "kind")
    search_fields = ("name", "aliases__name", "ori", "county")
    inlines = [AliasInline]


@admin.register(AgencyAlias)
class AgencyAliasAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("name", "agency")
    search_fields = ("name", "agency__name")
    list_select_related = ("agency",)
    actions = ["split_off"]

    @admin.action(description="Un-merge: make each selected spelling its own agency")
    def split_off(self, request, queryset):
        for alias in queryset.select_related("agency"):
            try:
                split = alias_split(alias=alias, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{alias.name}: {exc.messages[0]}", messages.ERROR)
            else:
                self.message_user(request, f"“{split.name}” is now its own agency.")


@admin.register(RenameCandidate)
class RenameCandidateAdmin(AdminRoleOnly, admin.ModelAdmin):
    """Possible renames the spelling rules did not merge, both records side by side."""

    list_display = ("on", "model", "old_name", "old_county", "new_name", "new_county", "reason",
                    "status")  # fmt: skip
    list_filter = ("status", "model", "old_agency__state")
    list_select_related = ("old_agency", "new_agency")
    readonly_fields = ("old_agency", "new_agency", "model", "on", "reason", "status",
                       "decided_by", "decided_at")  # fmt: skip
    actions = ["merge", "dismiss"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Left the list")
    def old_name(self, obj):
        return f"{obj.old_agency.name} ({obj.old_agency.state})"

    @admin.display(description="County")
    def old_county(self, obj):
        return obj.old_agency.county

    @admin.display(description="Appeared on it")
    def new_name(self, obj):
        return f"{obj.new_agency.name} ({obj.new_agency.state})"

    @admin.display(description="County")
    def new_county(self, obj):
        return obj.new_agency.county

    @admin.action(description="Same agency: merge the old record into the new one")
    def merge(self, request, queryset):
        for candidate in queryset.filter(status=RenameCandidate.Status.OPEN):
            try:
                agencies_merge(
                    source=candidate.old_agency, target=candidate.new_agency, actor=request.user
                )
            except ValidationError as exc:
                self.message_user(request, exc.messages[0], messages.ERROR)
            else:
                self.message_user(request, f"Merged into {candidate.new_agency.name}.")

    @admin.action(description="Different agencies: keep them apart")
    def dismiss(self, request, queryset):
        for candidate in queryset.filter(status=RenameCandidate.Status.OPEN):
            rename_dismiss(candidate=candidate, actor=request.user)


class PeriodInline(admin.TabularInline):
    model = AgreementPeriod
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("agency", "model", "status", "signed_on", "ended_on", "last_seen_on")
    list_filter = ("model", "status", "agency__state")
    search_fields = ("agency__name",)
    list_select_related = ("agency",)
    inlines = [PeriodInline]


@admin.register(AgreementPeriod)
class AgreementPeriodAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("agreement", "status", "start", "end")
    list_filter = ("status",)
    list_select_related = ("agreement__agency",)


@admin.register(AgreementImport)
class AgreementImportAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "source",
        "list_kind",
        "list_date",
        "status",
        "created_count",
        "changed_count",
        "ended_count",
        "rejected_count",
    )
    list_filter = ("status", "list_kind")
    search_fields = ("source", "content_hash")


@admin.register(AgreementChange)
class AgreementChangeAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("effective_on", "kind", "agreement", "agreement_import")
    list_filter = ("kind",)
    list_select_related = ("agreement__agency", "agreement_import")
