"""Agencies and the 287(g) directory in the admin. Agreements, their periods and history
change only through imports (which record every change), so they are read-only here."""

from django.contrib import admin

from accounts.admin_site import AdminRoleOnly, ReadOnlyAdmin
from agencies.models import (
    Agency,
    AgencyAlias,
    Agreement,
    AgreementChange,
    AgreementImport,
    AgreementPeriod,
)


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
