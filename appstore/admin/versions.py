"""The review queue of app versions and the change page with the checklist and decisions."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appstore import permissions, services
from appstore.admin.checklist import ChecklistForm
from appstore.admin.common import ReviewPostMixin, ReviewStateFilter
from appstore.choices import VersionState
from appstore.models import AppVersion, ChecklistItem
from appstore.workflow import VERSION_WORKFLOW
from portal.choices import Role, WorkPattern
from portal.errors import DomainError


@dataclass(frozen=True)
class Decision:
    action: str
    label: str
    service: Any
    takes_comment: bool
    takes_checklist: bool = False


# The workflow actions a reviewer takes in the admin, in the order of their buttons.
DECISIONS = {
    decision.action: decision
    for decision in [
        Decision("claim", _("Claim for review"), services.claim_version, False),
        Decision("approve", _("Approve"), services.approve_version, True, True),
        Decision("request_changes", _("Request changes"), services.request_changes, True, True),
        Decision("reject", _("Reject"), services.reject_version, True, True),
        Decision("publish", _("Publish"), services.publish_version, False),
        Decision("withdraw", _("Withdraw from the catalogue"), services.withdraw_version, True),
    ]
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
class AppVersionAdmin(ReviewPostMixin, admin.ModelAdmin):
    # Five narrow columns, so the reviewer shows on a 1280 px screen beside the navigation
    # and the filter (checked in a browser); the platforms are on the change page.
    list_display = ["app_version", "department", "audience", "review_state", "reviewed_by"]
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
                    "full_audience",
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
            .prefetch_related("artifacts", "app__audience_departments")
        )

    def changelist_view(self, request, extra_context=None):
        """The default view is the review queue; any other state filter lists versions."""
        in_queue = ReviewStateFilter.parameter_name not in request.GET
        title = _("Review queue") if in_queue else _("App versions")
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    @admin.display(description=_("version"), ordering="app__name")
    def app_version(self, obj: AppVersion):
        return str(obj)

    @admin.display(description=_("department"), ordering="app__department__name")
    def department(self, obj: AppVersion):
        return obj.app.department

    @admin.display(description=_("reviewer"), ordering="reviewer__first_name")
    def reviewed_by(self, obj: AppVersion):
        """The reviewer's name, free to wrap (a foreign key column would not)."""
        if obj.reviewer is None:
            return None
        return obj.reviewer.get_full_name() or obj.reviewer.get_username()

    @admin.display(description=_("audience"))
    def audience(self, obj: AppVersion):
        return audience_summary(obj.app)

    @admin.display(description=_("audience"))
    def full_audience(self, obj: AppVersion):
        return audience_summary(obj.app, shown=None)

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

    @admin.display(description=_("state"), ordering="submitted_at")
    def review_state(self, obj: AppVersion):
        """The state, and under it how long a queued version has waited (the date it was
        submitted for the others): one narrow column, sorted by the submission."""
        submitted = self.age(obj)
        if submitted is None:
            return obj.get_state_display()
        return format_html("{}<br>{}", obj.get_state_display(), submitted)

    def age(self, obj: AppVersion):
        if obj.submitted_at is None:
            return None
        if obj.state in {VersionState.SUBMITTED, VersionState.IN_REVIEW}:
            waited = timesince(obj.submitted_at, depth=1).replace("\xa0", " ")  # may wrap
            text = _("%(time)s ago") % {"time": waited}
        else:
            text = date_format(timezone.localtime(obj.submitted_at), "SHORT_DATE_FORMAT")
        return format_html('<time datetime="{}">{}</time>', obj.submitted_at.isoformat(), text)

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
        arguments = {"by": request.user, "version_id": version.pk}
        if decision.takes_comment:
            arguments["comment"] = form.cleaned_data.get("comment", "")
        if decision.takes_checklist and permissions.may_fill_checklist(request.user, version):
            # The checklist is on the decision's form: it is saved with the decision, by
            # the service, in one transaction; a refusal keeps what was typed on the page.
            checklist = self._checklist_form(version, request.POST)
            if not checklist.is_valid():
                message = _("Choose pass, fail or not applicable.")
                self.message_user(request, message, messages.ERROR)
                return None
            arguments["checklist"] = checklist.answers()
        try:
            decision.service(**arguments)
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


AUDIENCE_NAMES_SHOWN = 1


def audience_summary(app, *, shown: int | None = AUDIENCE_NAMES_SHOWN) -> str:
    """Who an app is for, in a few words: "Everyone", or its departments, roles and work
    patterns, the first `shown` by name and then how many more (a list column stays narrow;
    None shows them all). Reads the prefetched departments: no query per row."""
    if app.audience_everyone:
        return str(_("Everyone"))
    names = sorted(department.name for department in app.audience_departments.all())
    names += [str(Role(role).label) for role in app.audience_roles if role in Role.values]
    names += [
        str(WorkPattern(pattern).label)
        for pattern in app.audience_work_patterns
        if pattern in WorkPattern.values
    ]
    more = len(names) - shown if shown is not None else 0
    if more > 0:
        return ngettext("%(names)s and %(count)d more", "%(names)s and %(count)d more", more) % {
            "names": ", ".join(names[:shown]),
            "count": more,
        }
    return ", ".join(names) or "—"


def _with_download(artifact):
    """The artefact with `download_url` for its package (None while that page is missing)."""
    artifact.download_url = None
    if artifact.package:
        with suppress(NoReverseMatch):
            artifact.download_url = reverse(
                "appstore:package_download", kwargs={"artifact_id": artifact.pk}
            )
    return artifact
