from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services, two_factor
from accounts.admin_site import AdminRoleOnly
from accounts.models import Notification, Office, RoleGrant, User

# Roles are fixed codes (RoleGrant); groups and per-user permissions grant nothing and are
# not offered, so nobody can rename or edit their way into a role.
admin.site.unregister(Group)
# A TOTP key or recovery code shown in the admin would let its reader sign in as the
# device's owner; second factors are reset (audited) with the user list's action instead.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


class RoleGrantFormSet(forms.BaseInlineFormSet):
    """Checks each added or removed role against `services.role_change_check`."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() and not self._should_delete_form(form):
                continue
            if form.instance.pk and not self._should_delete_form(form):
                raise forms.ValidationError("Remove a role and add another instead of editing it.")
            role = form.cleaned_data.get("role") or form.instance.role
            if not role:
                continue
            try:
                services.role_change_check(actor=self.request.user, user=self.instance, role=role)
            except PermissionDenied as error:
                raise forms.ValidationError(str(error)) from error


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    formset = RoleGrantFormSet
    fk_name = "user"
    fields = ("role", "granted_by", "granted_at")
    readonly_fields = ("granted_by", "granted_at")
    extra = 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def _allowed(self, request):
        return AdminRoleOnly._allowed(self, request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)  # removing a role, audited by role_revoke


@admin.register(User)
class UserAdmin(AdminRoleOnly, BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "roles")
    list_filter = ("is_active", "role_grants__role", "offices")
    inlines = [RoleGrantInline]
    # No groups, permissions, staff or superuser flags: a superuser is made on the command
    # line only (`createsuperuser`), never from the admin.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Status", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ("last_login",)
    actions = ["reset_two_factor"]

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(grant.get_role_display() for grant in obj.role_grants.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_grants")

    @admin.action(description="Reset second factor (ends their sessions; they set it up again)")
    def reset_two_factor(self, request, queryset):
        ip = request.META.get("REMOTE_ADDR")
        for user in queryset:
            try:
                two_factor.two_factor_reset(actor=request.user, user=user, ip=ip)
            except PermissionDenied as error:
                self.message_user(request, f"{user.username}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{user.username}: second factor reset.")

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleGrant:
            return super().save_formset(request, form, formset, change)
        # Through the services (checked and audited), not formset.save(); the admin's own
        # change message reads these lists.
        ip = request.META.get("REMOTE_ADDR")
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if inline_form.instance.pk and formset._should_delete_form(inline_form):
                services.role_revoke(
                    actor=request.user, user=form.instance, role=inline_form.instance.role, ip=ip
                )
                formset.deleted_objects.append(inline_form.instance)
            elif not inline_form.instance.pk and inline_form.has_changed():
                grant = services.role_grant(
                    actor=request.user,
                    user=form.instance,
                    role=inline_form.cleaned_data["role"],
                    ip=ip,
                )
                formset.new_objects.append(grant)
        return None


class OfficeAdminForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = ("name", "code", "members")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_members(self):
        members = set(self.cleaned_data["members"])
        before = set(self.instance.members.all()) if self.instance.pk else set()
        for user in members ^ before:
            try:
                services.membership_change_check(actor=self.request.user, user=user)
            except PermissionDenied as error:
                raise forms.ValidationError(str(error)) from error
        return self.cleaned_data["members"]


@admin.register(Office)
class OfficeAdmin(AdminRoleOnly, admin.ModelAdmin):
    form = OfficeAdminForm
    list_display = ("name", "code", "created_at")
    search_fields = ("name", "code")
    filter_horizontal = ("members",)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return RequestForm

    def save_related(self, request, form, formsets, change):
        # Membership through the service, so each addition and removal is audited.
        services.office_membership_set(
            actor=request.user,
            office=form.instance,
            members=form.cleaned_data["members"],
            ip=request.META.get("REMOTE_ADDR"),
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Notification)
class NotificationAdmin(AdminRoleOnly, admin.ModelAdmin):
    list_display = ("user", "created_at", "read_at", "message")
    list_filter = ("read_at",)
    search_fields = ("user__username", "message")
