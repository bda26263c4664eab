"""The IT reviewers' screens: the review queue, the checklist and the decision per version.

Every change goes through `appstore.services`; a refusal (`DomainError`) becomes an admin
error message and changes nothing. Which decision buttons a person sees is what the
version workflow allows them now; the services decide again when the button is pressed.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appstore import permissions, selectors, services
from appstore.choices import Category, CheckResult, ListingChangeState, VersionState
from appstore.models import (
    App,
    AppVersion,
    ChecklistItem,
    Installation,
    ListingChange,
    Rating,
)
from appstore.workflow import VERSION_WORKFLOW
from portal.choices import Role, WorkPattern
from portal.errors import DomainError
from portal.models import Department


@dataclass(frozen=True)
class Decision:
    action: str
    label: str
    service: Any
    takes_comment: bool


# The workflow actions a reviewer takes in the admin, in the order of their buttons.
DECISIONS = {
    decision.action: decision
    for decision in [
        Decision("claim", _("Claim for review"), services.claim_version, False),
        Decision("approve", _("Approve"), services.approve_version, True),
        Decision("request_changes", _("Request changes"), services.request_changes, True),
        Decision("reject", _("Reject"), services.reject_version, True),
        Decision("publish", _("Publish"), services.publish_version, False),
        Decision("withdraw", _("Withdraw from the catalogue"), services.withdraw_version, True),
    ]
}


class ReviewStateFilter(admin.SimpleListFilter):
    """The review queue unless another state (or all of them) is chosen."""

    title = _("state")
    parameter_name = "state"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [(self.ALL, _("All states")), *VersionState.choices]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset & selectors.review_queue()
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(state=self.value())

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Review queue"),
        }
        for value, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(value),
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": title,
            }


class ChecklistForm(forms.Form):
    """Pass / fail / not applicable and a note for every active checklist item."""

    prefix = "checklist"

    def __init__(self, *args, items, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            answer = answers.get(item.pk)
            self.fields[f"result_{item.pk}"] = forms.ChoiceField(
                label=item.text,
                choices=CheckResult.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=answer.result if answer else None,
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
                initial=answer.note if answer else "",
            )

    def rows(self):
        for item in self.items:
            yield item, self[f"result_{item.pk}"], self[f"note_{item.pk}"]

    def answers(self) -> dict[int, tuple[str, str]]:
        """The items given a result; an item left open is not sent."""
        data = self.cleaned_data
        return {
            item.pk: (data[f"result_{item.pk}"], data[f"note_{item.pk}"])
            for item in self.items
            if data[f"result_{item.pk}"]
        }


class DecisionForm(forms.Form):
    prefix = "decision"

    comment = forms.CharField(
        label=_("Comment to the app owner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Required when you request changes or reject."),
    )


class ReviewPostMixin:
    """A change page whose POST is a review action run through a service, not a save.

    `handle_review_post` returns a response, or None when the service refused: the page is
    then shown again with what the reviewer entered and the error message."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            response = self.handle_review_post(request, object_id)
            if response is not None:
                return response
            request.review_data = request.POST
            request.method = "GET"
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(AppVersion)
class AppVersionAdmin(ReviewPostMixin, admin.ModelAdmin):
    list_display = [
        "app",
        "version",
        "owning_department",
        "platforms",
        "state",
        "age",  # before the reviewer and the date, so it shows on a laptop screen
        "reviewer",
        "submitted_at",
    ]
    list_filter = [ReviewStateFilter]
    search_fields = ["app__name"]
    list_select_related = ["app", "app__department", "reviewer"]
    ordering = ["submitted_at", "pk"]
    show_full_result_count = False
    list_per_page = 50
    actions = ["claim"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "app",
                    "version",
                    "owning_department",
                    "platforms",
                    "state",
                    "reviewer",
                    "submitted_at",
                    "published_at",
                ]
            },
        ),
        (_("Release"), {"fields": ["release_notes"]}),
        (
            _("Privacy and data"),
            {
                "fields": [
                    "data_classification",
                    "processes_personal_data",
                    "personal_data_description",
                    "dpia_done",
                ]
            },
        ),
        (_("Record"), {"fields": ["created_by", "created_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [field for _name, options in self.fieldsets for field in options["fields"]]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("app", "app__department", "reviewer", "created_by")
            .prefetch_related("artifacts")
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("platforms"))
    def platforms(self, obj: AppVersion):
        return ", ".join(artifact.get_platform_display() for artifact in obj.artifacts.all())

    @admin.display(description=_("owning department"), ordering="app__department__name")
    def owning_department(self, obj: AppVersion):
        return obj.app.department

    @admin.display(description=_("waiting"), ordering="submitted_at")
    def age(self, obj: AppVersion):
        if obj.submitted_at is None or obj.state not in {
            VersionState.SUBMITTED,
            VersionState.IN_REVIEW,
        }:
            return None
        return timesince(obj.submitted_at, depth=1)

    @admin.action(description=_("Claim the selected versions for review"), permissions=["change"])
    def claim(self, request, queryset):
        claimed = 0
        for version in queryset.order_by("pk"):
            try:
                services.claim_version(by=request.user, version_id=version.pk)
            except DomainError as error:
                self.message_user(request, f"{version}: {error.message}", messages.ERROR)
            else:
                claimed += 1
        if claimed:
            self.message_user(
                request,
                ngettext("%(count)d version claimed.", "%(count)d versions claimed.", claimed)
                % {"count": claimed},
                messages.SUCCESS,
            )

    # --- the review on the change page ------------------------------------------------

    def handle_review_post(self, request, object_id):
        """Run the posted checklist or decision; None when refused (the page shows why)."""
        version = self.get_object(request, unquote(object_id))
        if version is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, version):
            raise PermissionDenied
        if "_checklist" in request.POST:
            return self._record_checklist(request, version)
        decision = DECISIONS.get(request.POST.get("_decision", ""))
        if decision is None:
            return redirect(request.path)
        form = DecisionForm(request.POST)
        form.is_valid()
        comment = form.cleaned_data.get("comment", "")
        try:
            if decision.takes_comment:
                decision.service(by=request.user, version_id=version.pk, comment=comment)
            else:
                decision.service(by=request.user, version_id=version.pk)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None
        version.refresh_from_db(fields=["state"])
        self.message_user(
            request,
            _("%(version)s is now “%(state)s”.")
            % {"version": version, "state": version.get_state_display()},
            messages.SUCCESS,
        )
        return redirect(request.path)

    def _record_checklist(self, request, version):
        form = self._checklist_form(version, request.POST)
        if not form.is_valid():
            self.message_user(request, _("Choose pass, fail or not applicable."), messages.ERROR)
            return None
        try:
            services.record_checklist(
                by=request.user, version_id=version.pk, answers=form.answers()
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None
        self.message_user(request, _("The checklist is saved."), messages.SUCCESS)
        return redirect(request.path)

    @staticmethod
    def _checklist_form(version, data=None) -> ChecklistForm:
        items = list(ChecklistItem.objects.filter(is_active=True))
        answers = {answer.item_id: answer for answer in version.checklist.all()}
        return ChecklistForm(data, items=items, answers=answers)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self._review_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _review_context(self, request, version: AppVersion) -> dict:
        data = getattr(request, "review_data", None)
        user = request.user
        allowed = {transition.action for transition in VERSION_WORKFLOW.available(version, user)}
        decisions = [decision for decision in DECISIONS.values() if decision.action in allowed]
        may_fill_checklist = permissions.may_fill_checklist(user, version)
        events = list(version.events.select_related("actor"))
        for event in events:
            event.from_label = VERSION_WORKFLOW.label(event.from_state)
            event.to_label = VERSION_WORKFLOW.label(event.to_state)
        return {
            "review": True,
            "decisions": decisions,
            "decision_form": DecisionForm(data) if decisions else None,
            "decision_takes_comment": any(d.takes_comment for d in decisions),
            "checklist_form": self._checklist_form(version, data) if may_fill_checklist else None,
            "checklist_answers": version.checklist.select_related("item", "answered_by"),
            "events": events,
            "artifacts": [_with_download(artifact) for artifact in version.artifacts.all()],
            "screenshots": version.screenshots.all(),
        }


def _with_download(artifact):
    """The artefact with `download_url` for its package (None while that page is missing)."""
    artifact.download_url = None
    if artifact.package:
        with suppress(NoReverseMatch):
            artifact.download_url = reverse(
                "appstore:package_download", kwargs={"artifact_id": artifact.pk}
            )
    return artifact


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["text", "position", "is_required", "is_active"]
    list_editable = ["position", "is_required", "is_active"]
    list_filter = ["is_active", "is_required"]
    search_fields = ["text"]
    fields = ["text", "guidance", "position", "is_required", "is_active"]


class ListingStateFilter(admin.SimpleListFilter):
    """Waiting changes unless another state (or all of them) is chosen."""

    title = _("state")
    parameter_name = "state"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [(self.ALL, _("All states")), *ListingChangeState.choices]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset.filter(state=ListingChangeState.SUBMITTED)
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(state=self.value())

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Waiting for review"),
        }
        for value, title in self.lookup_choices:
            if value == ListingChangeState.SUBMITTED:
                continue
            yield {
                "selected": self.value() == str(value),
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": title,
            }


# The listing fields a reviewer compares, in the order of the comparison table.
LISTING_COMPARISON = [
    ("name", _("name")),
    ("summary", _("summary")),
    ("description", _("description")),
    ("category", _("category")),
    ("support_contact", _("support contact")),
    ("audience_everyone", _("audience: everyone")),
    ("audience_departments", _("audience: departments")),
    ("audience_roles", _("audience: roles")),
    ("audience_work_patterns", _("audience: work patterns")),
    ("is_required", _("required for its audience")),
]
LISTING_DECISIONS = {
    "approve": (_("Approve and apply"), services.approve_listing_change),
    "reject": (_("Reject"), services.reject_listing_change),
}


def _listing_value(name: str, value, departments: dict[int, Department]) -> str:
    """A listing value as a reviewer reads it: labels, names, yes / no."""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if name == "category":
        return str(Category(value).label) if value in Category.values else str(value)
    labels = {
        "audience_roles": dict(Role.choices),
        "audience_work_patterns": dict(WorkPattern.choices),
    }
    if name in labels:
        return ", ".join(str(labels[name].get(v, v)) for v in value) or "—"
    if name == "audience_departments":
        return ", ".join(str(departments.get(int(pk), pk)) for pk in value) or "—"
    return str(value) if value not in (None, "") else "—"


class ListingDecisionForm(forms.Form):
    prefix = "decision"

    comment = forms.CharField(
        label=_("Comment to the app owner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Required when you reject."),
    )


@admin.register(ListingChange)
class ListingChangeAdmin(ReviewPostMixin, admin.ModelAdmin):
    """Changes to published apps' listings, approved or rejected through the services."""

    list_display = ["app", "owning_department", "state", "created_by", "created_at", "age"]
    list_filter = [ListingStateFilter]
    search_fields = ["app__name"]
    list_select_related = ["app", "app__department", "created_by"]
    ordering = ["created_at", "pk"]
    show_full_result_count = False
    fields = ["app", "owning_department", "state", "created_by", "created_at", "reviewer"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("app", "app__department", "created_by")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("owning department"), ordering="app__department__name")
    def owning_department(self, obj: ListingChange):
        return obj.app.department

    @admin.display(description=_("waiting"), ordering="created_at")
    def age(self, obj: ListingChange):
        if obj.state != ListingChangeState.SUBMITTED:
            return None
        return timesince(obj.created_at, depth=1)

    def handle_review_post(self, request, object_id):
        """Approve or reject through the service; None when refused (the page shows why)."""
        change = self.get_object(request, unquote(object_id))
        if change is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, change):
            raise PermissionDenied
        decision = LISTING_DECISIONS.get(request.POST.get("_decision", ""))
        if decision is None:
            return redirect(request.path)
        form = ListingDecisionForm(request.POST)
        form.is_valid()
        try:
            decision[1](
                by=request.user,
                change_id=change.pk,
                comment=form.cleaned_data.get("comment", ""),
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None
        change.refresh_from_db(fields=["state"])
        self.message_user(
            request,
            _("The listing change of %(app)s is now “%(state)s”.")
            % {"app": change.app, "state": change.get_state_display()},
            messages.SUCCESS,
        )
        return redirect(request.path)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self._review_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _review_context(self, request, change: ListingChange) -> dict:
        app = change.app
        allowed = {t.action for t in services.LISTING_WORKFLOW.available(change, request.user)}
        decisions = [(action, label) for action, (label, _s) in LISTING_DECISIONS.items()]
        decisions = [(action, label) for action, label in decisions if action in allowed]
        current_departments = list(app.audience_departments.all())
        proposed_ids = [int(pk) for pk in change.proposed.get("audience_departments", [])]
        departments = {d.pk: d for d in current_departments}
        missing = set(proposed_ids) - set(departments)
        departments |= {d.pk: d for d in Department.objects.filter(pk__in=missing)}
        current = {name: getattr(app, name) for name, _label in LISTING_COMPARISON}
        current["audience_departments"] = [d.pk for d in current_departments]
        rows = []
        for name, label in LISTING_COMPARISON:
            before = current[name]
            after = change.proposed.get(name, before)
            if name == "audience_departments":
                before, after = sorted(before), sorted(int(pk) for pk in after)
            rows.append(
                {
                    "label": label,
                    "current": _listing_value(name, before, departments),
                    "proposed": _listing_value(name, after, departments),
                    "changed": before != after,
                }
            )
        events = list(change.events.select_related("actor"))
        for event in events:
            event.from_label = services.LISTING_WORKFLOW.label(event.from_state)
            event.to_label = services.LISTING_WORKFLOW.label(event.to_state)
        return {
            "listing_review": True,
            "comparison": rows,
            "decisions": decisions,
            "decision_form": ListingDecisionForm(getattr(request, "review_data", None)),
            "events": events,
        }


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
