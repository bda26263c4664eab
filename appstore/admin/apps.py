"""The apps, read-only with their counts; administrators feature them on the store home."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Avg, Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appstore import services
from appstore.models import App, Installation, Rating
from portal.choices import Role
from portal.errors import DomainError


def _count_of(model):
    rows = model.objects.filter(app=OuterRef("pk")).order_by().values("app")
    return Coalesce(
        Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
    )


@admin.register(App)
class AppAdmin(admin.ModelAdmin):
    """Read-only here: owners change their apps in the portal, through the services.
    Administrators feature apps on the store home with the actions."""

    list_display = [
        "name",
        "department",
        "category",
        "is_required",
        "is_featured",
        "installation_count",
        "rating_count",
        "updated_at",
    ]
    list_filter = ["category", "is_featured", "is_required"]
    search_fields = ["name", "slug"]
    list_select_related = ["department"]
    show_full_result_count = False
    actions = ["feature", "stop_featuring"]
    fields = [
        "name",
        "slug",
        "department",
        "category",
        "summary",
        "description",
        "support_contact",
        "audience_everyone",
        "audience_departments",
        "audience_roles",
        "audience_work_patterns",
        "is_required",
        "is_featured",
        "installation_count",
        "rating_count",
        "average_rating",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                installations_total=_count_of(Installation),
                ratings_total=_count_of(Rating),
                stars_average=Subquery(
                    Rating.objects.filter(app=OuterRef("pk"))
                    .order_by()
                    .values("app")
                    .annotate(a=Avg("stars"))
                    .values("a")
                ),
            )
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_feature_permission(self, request):
        return request.user.is_superuser or request.user.has_role(Role.ADMINISTRATOR)

    @admin.display(description=_("installations"), ordering="installations_total")
    def installation_count(self, obj: App):
        return obj.installations_total

    @admin.display(description=_("ratings"), ordering="ratings_total")
    def rating_count(self, obj: App):
        return obj.ratings_total

    @admin.display(description=_("average rating"))
    def average_rating(self, obj: App):
        return f"{obj.stars_average:.1f}" if obj.stars_average is not None else None

    @admin.action(description=_("Feature the selected apps"), permissions=["feature"])
    def feature(self, request, queryset):
        self._set_featured(request, queryset, featured=True)

    @admin.action(description=_("Stop featuring the selected apps"), permissions=["feature"])
    def stop_featuring(self, request, queryset):
        self._set_featured(request, queryset, featured=False)

    def _set_featured(self, request, queryset, *, featured: bool) -> None:
        done = 0
        for app_id in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                services.set_featured(by=request.user, app_id=app_id, featured=featured)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
                return
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d app changed.", "%(count)d apps changed.", done) % {"count": done},
            messages.SUCCESS,
        )
