"""The IT reviewers' screens: the review queue, the checklist and the decision per version.

Every change goes through `appstore.services`; a refusal (`DomainError`) becomes an admin
error message and changes nothing. Which decision buttons a person sees is what the
version workflow allows them now; the services decide again when the button is pressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appstore import permissions, selectors, services
from appstore.choices import CheckResult, VersionState
from appstore.models import App, AppVersion, ChecklistItem
from appstore.workflow import VERSION_WORKFLOW
from portal.errors import DomainError


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


@admin.register(AppVersion)
class AppVersionAdmin(admin.ModelAdmin):
    list_display = [
        "app",
        "version",
        "owning_department",
        "state",
        "reviewer",
        "submitted_at",
        "age",
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
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            response = self._review(request, object_id)
            if response is not None:
                return response
            # Refused: show the page again with what the reviewer entered.
            request.review_data = request.POST
            request.method = "GET"
        return super().change_view(request, object_id, form_url, extra_context)

    def _review(self, request, object_id):
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
        }


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["text", "position", "is_required", "is_active"]
    list_editable = ["position", "is_required", "is_active"]
    list_filter = ["is_active", "is_required"]
    search_fields = ["text"]
    fields = ["text", "guidance", "position", "is_required", "is_active"]


@admin.register(App)
class AppAdmin(admin.ModelAdmin):
    """Read-only here: owners change their apps in the portal, through the services."""

    list_display = ["name", "department", "category", "is_required", "is_featured", "updated_at"]
    list_filter = ["category", "is_featured", "is_required"]
    search_fields = ["name", "slug"]
    list_select_related = ["department"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
