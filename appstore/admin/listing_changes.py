"""Changes to published apps' listings: the comparison and the reviewer's decision."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from appstore import services
from appstore.admin.common import ListingStateFilter, ReviewPostMixin
from appstore.choices import Category, ListingChangeState
from appstore.models import ListingChange
from portal.choices import Role, WorkPattern
from portal.errors import DomainError
from portal.models import Department

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
    """The decision on the revision the reviewer sees: the service refuses it when the
    owners edited the change since the page was rendered."""

    prefix = "decision"

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
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
    fields = [
        "app",
        "owning_department",
        "state",
        "revision",
        "created_by",
        "created_at",
        "reviewer",
    ]
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
                revision=form.cleaned_data.get("revision"),
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
            "decision_form": _decision_form(request, change),
            "events": events,
        }


def _decision_form(request, change: ListingChange) -> ListingDecisionForm:
    """The decision form for the revision on the page. After a refusal it keeps what the
    reviewer wrote but names the revision shown now, the one the next decision is about."""
    data = getattr(request, "review_data", None)
    if data is not None:
        data = data.copy()
        data[f"{ListingDecisionForm.prefix}-revision"] = str(change.revision)
    return ListingDecisionForm(data, initial={"revision": change.revision})
