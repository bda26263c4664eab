"""Admin for people, departments, API tokens and notifications."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from portal import services
from portal.models import ApiToken, Department, Notification, OutboundEmail, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "code", "cost_centre", "parent", "is_active"]
    list_filter = ["is_active", "depth"]
    search_fields = ["name", "=code", "=cost_centre"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Department) -> str:
        return f"{'— ' * obj.depth}{obj.name}"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "full_name",
        "email",
        "employee_number",
        "department",
        "work_pattern",
        "is_staff",
        "is_active",
    ]
    list_filter = ["is_active", "is_staff", "work_pattern", "groups", "preferred_language"]
    # Prefix matches ("^") use the upper-case pattern indexes; "Nora Ber" finds Nora Berg.
    search_fields = ["=employee_number", "^username", "^email", "^first_name", "^last_name"]
    autocomplete_fields = ["department", "line_manager"]
    list_select_related = ["department"]
    show_full_result_count = False
    list_per_page = 50
    ordering = ["last_name", "first_name", "id"]

    # Staff status follows the roles (portal.roles.is_staff_by_roles), so it is shown, not set.
    readonly_fields = ["is_staff"]

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or "email" in form.changed_data:
            services.sync_email_addresses(user=obj, by=request.user)

    def save_related(self, request, form, formsets, change):
        """The groups are saved here, after the person: staff status follows them."""
        super().save_related(request, form, formsets, change)
        services.sync_staff_status(user=form.instance, by=request.user)

    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Organisation"),
            {
                "fields": (
                    "employee_number",
                    "job_title",
                    "department",
                    "line_manager",
                    "work_pattern",
                    "preferred_language",
                    "phone",
                )
            },
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "user",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "=prefix", "user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = services.create_api_token(
            name=obj.name,
            user=obj.user,
            scopes=obj.scopes,
            expires_at=obj.expires_at,
            by=request.user,
        )
        obj.pk = token.pk
        messages.warning(
            request,
            _("Copy the token now; it is not shown again: %(token)s") % {"token": raw},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = services.revoke_api_tokens(
            token_ids=queryset.values_list("pk", flat=True), by=request.user
        )
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": count})


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "recipient",
        "created_at",
        "read_at",
        "email_sent_at",
        "email_failed_at",
    ]
    list_select_related = ["recipient"]
    search_fields = ["=key", "recipient__username"]
    raw_id_fields = ["recipient"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """Who was sent what and when; never the text, which may hold a password-reset link."""

    list_display = ["subject", "created_at", "sent_at", "failed_at"]
    list_filter = [
        ("sent_at", admin.EmptyFieldListFilter),
        ("failed_at", admin.EmptyFieldListFilter),
    ]
    fields = readonly_fields = [
        "to",
        "from_email",
        "subject",
        "created_at",
        "sent_at",
        "failed_at",
        "error",
    ]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
