"""The logistics desk in the admin: the fleet, and the repair and return cases.

Devices and cases are read-only here. Every change of state or holder is a small form on
the change page that posts to its own URL and runs a service: the case actions through
the one table of `devices.actions`, the hand-out through `services.assign_device`. A
refusal (`DomainError`) becomes an error message, the page is shown again with the form
and the service's status (409 when someone else acted first), and nothing is changed.
"""

from __future__ import annotations

from contextlib import suppress

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from devices import actions, permissions, selectors, services
from devices.choices import DeviceState, RepairState, ReturnState
from devices.filters import WARRANTY_WINDOWS, DeviceFilter
from devices.forms import PersonForm
from devices.models import (
    Assignment,
    Device,
    DeviceEvent,
    DeviceModel,
    RepairCase,
    ReturnCase,
)
from devices.workflow import DEVICE_WORKFLOW, REPAIR_WORKFLOW, RETURN_WORKFLOW
from portal.errors import DomainError
from portal.fields import as_tree, indented
from portal.models import Department


@admin.register(DeviceModel)
class DeviceModelAdmin(admin.ModelAdmin):
    list_display = ["manufacturer", "name", "category", "operating_system", "release_year"]
    list_filter = ["category", "manufacturer"]
    search_fields = ["manufacturer", "name"]


def _timeline(events, workflow) -> list:
    """The events with their states' labels, oldest first."""
    events = list(events)
    for event in events:
        event.from_label = workflow.label(event.from_state) if event.from_state else "—"
        event.to_label = workflow.label(event.to_state)
    return events


class DeskAdmin(admin.ModelAdmin):
    """Read-only fields; the desk's forms post to URLs of their own (`desk_views`), whose
    refusals show the change page again with the refused form (`failed`) and its status."""

    show_full_result_count = False
    list_per_page = 50
    desk_views: dict[str, str] = {}  # URL suffix -> method name

    def get_readonly_fields(self, request, obj=None):
        return [field for _name, options in self.fieldsets for field in options["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        own = [
            path(
                f"<path:object_id>/{route}/",
                self.admin_site.admin_view(self._desk_post(getattr(self, method))),
                name=f"{self.opts.app_label}_{self.opts.model_name}_{method}",
            )
            for route, method in self.desk_views.items()
        ]
        return own + super().get_urls()

    def _desk_post(self, view):
        """POST only, on an object this person may change."""

        def wrapped(request, object_id, **kwargs):
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            obj = self.get_object(request, unquote(object_id))
            if obj is None:
                raise Http404(_("No such %(name)s.") % {"name": self.opts.verbose_name})
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
            return view(request, obj, **kwargs)

        return wrapped

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":  # nothing is saved from the change form itself
            return HttpResponseNotAllowed(["GET"])
        return super().change_view(request, object_id, form_url, extra_context)

    def _change_url(self, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])

    def _done(self, request, obj, message):
        self.message_user(request, message, messages.SUCCESS)
        return redirect(self._change_url(obj))

    def _refused(self, request, obj, *, name: str, label, form, status: int):
        errors = form.non_field_errors()
        for error in errors:
            self.message_user(request, error, messages.ERROR)
        if not errors:
            self.message_user(
                request,
                _("“%(action)s” was not done: correct the form below.") % {"action": label},
                messages.ERROR,
            )
        request.method = "GET"
        response = self.change_view(request, str(obj.pk), extra_context={"failed": (name, form)})
        response.status_code = status
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.desk_context(request, obj, context.get("failed")))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def desk_context(self, request, obj, failed) -> dict:
        return {}


class HasLoanerFilter(admin.SimpleListFilter):
    title = _("loaner")
    parameter_name = "loaner"

    def lookups(self, request, model_admin):
        return [("yes", _("Has a loaner")), ("no", _("No loaner"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(loaner__isnull=self.value() == "no")
        return queryset


def _case_search(queryset, term: str):
    """Cases of devices found by serial, IMEI, asset tag or holder (as the fleet search),
    and cases whose holder's name or username starts with the first word."""
    first = term.split()[0]
    devices = selectors.search_devices(Device.objects.all(), term).values("pk")
    return queryset.filter(
        Q(device__in=devices)
        | Q(holder__username__istartswith=first)
        | Q(holder__first_name__istartswith=first)
        | Q(holder__last_name__istartswith=first)
    )


class CaseAdmin(DeskAdmin):
    """A repair or return case, worked with the forms of its actions (devices.actions)."""

    table: dict[str, actions.CaseAction] = {}
    workflow = None
    desk_views = {"action/<slug:name>": "action_view"}
    search_help_text = _("The start of a serial number, IMEI or asset tag, or a holder's name.")
    search_fields = ["device__serial_number"]  # shows the box; the search is _case_search

    def available(self, case, user) -> list[actions.CaseAction]:
        raise NotImplementedError

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return _case_search(queryset, search_term), False

    def action_view(self, request, case, name):
        action = self.table.get(name)
        if action is None:
            raise Http404(_("No such action."))
        form, status = actions.perform(
            action, by=request.user, case_id=case.pk, data=request.POST, files=request.FILES
        )
        if status != 200:
            offered = action in self.available(case, request.user)
            if not offered and not form.non_field_errors():
                # No form to correct on the page: the case has moved on (or never got there).
                form.add_error(
                    None,
                    _("“%(action)s” cannot be done now: the case is “%(state)s”.")
                    % {"action": action.label, "state": case.get_state_display()},
                )
                status = 409
            return self._refused(
                request, case, name=name, label=action.label, form=form, status=status
            )
        case.refresh_from_db(fields=["state"])
        return self._done(
            request,
            case,
            _("%(action)s: done. %(case)s is now “%(state)s”.")
            % {"action": action.label, "case": case, "state": case.get_state_display()},
        )

    def desk_context(self, request, case, failed) -> dict:
        available = self.available(case, request.user)
        if not self.has_change_permission(request, case):
            available = []
        forms = []
        for action in available:
            form = failed[1] if failed and failed[0] == action.name else action.form()
            form.auto_id = f"id_{action.name}_%s"  # several forms on one page
            url = reverse(
                f"admin:devices_{self.opts.model_name}_action_view", args=[case.pk, action.name]
            )
            forms.append({"action": action, "form": form, "url": url})
        return {
            "desk": True,
            "action_forms": forms,
            "events": _timeline(case.events.select_related("actor"), self.workflow),
        }

    @admin.display(description=_("device"), ordering="device__serial_number")
    def device_link(self, case):
        return f"{case.device.model} · {case.device.serial_number}"

    @admin.display(description=_("holder"), ordering="holder__last_name")
    def holder_name(self, case):
        return (case.holder.get_full_name() or case.holder.username) if case.holder else None


@admin.register(RepairCase)
class RepairCaseAdmin(CaseAdmin):
    table = actions.REPAIR_ACTIONS
    workflow = REPAIR_WORKFLOW
    list_display = [
        "__str__",
        "device_link",
        "holder_name",
        "category",
        "state",
        "is_security_event",
        "has_loaner",
        "reported_at",
        "age",
    ]
    list_display_links = ["__str__"]
    list_filter = ["state", "category", "is_security_event", HasLoanerFilter]
    list_select_related = ["device__model", "holder"]
    ordering = ["-is_security_event", "reported_at", "pk"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "device",
                    "holder",
                    "reported_by",
                    "reported_at",
                    "state",
                    "category",
                    "is_security_event",
                    "description",
                    "data_backed_up",
                ]
            },
        ),
        (_("Shipping"), {"fields": ["carrier", "tracking_number", "repair_partner"]}),
        (
            _("Outcome"),
            {
                "fields": [
                    "cost",
                    "warranty_covered",
                    "loaner",
                    "replacement",
                    "returned_at",
                    "turnaround",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "device__model", "holder", "reported_by", "loaner__model", "replacement__model"
            )
        )

    def available(self, case, user):
        return actions.repair_actions(case, user)

    def desk_context(self, request, case, failed) -> dict:
        context = super().desk_context(request, case, failed)
        photos = []
        for photo in case.photos.all():
            url = None
            with suppress(NoReverseMatch):
                url = reverse("devices:photo", args=[case.pk, photo.pk])
            photos.append({"photo": photo, "url": url})
        lends = [item for item in context["action_forms"] if item["action"].name == "lend"]
        for item in lends:  # the devices in stock as suggestions
            item["form"].fields["device"].widget.attrs["list"] = "stock-devices"
        context.update(photos=photos, stock=list(selectors.stock_devices()[:20]) if lends else [])
        return context

    @admin.display(description=_("loaner"), boolean=True)
    def has_loaner(self, case):
        return case.loaner_id is not None

    @admin.display(description=_("open for"), ordering="reported_at")
    def age(self, case):
        if case.state in (RepairState.RETURNED_TO_USER, RepairState.CLOSED):
            return None
        return timesince(case.reported_at, depth=1)

    @admin.display(description=_("turnaround"))
    def turnaround(self, case):
        if case.returned_at is None:
            return self.get_empty_value_display()
        return timesince(case.reported_at, case.returned_at, depth=2)


@admin.register(ReturnCase)
class ReturnCaseAdmin(CaseAdmin):
    table = actions.RETURN_ACTIONS
    workflow = RETURN_WORKFLOW
    list_display = [
        "__str__",
        "device_link",
        "holder_name",
        "reason",
        "state",
        "requested_at",
        "age",
    ]
    list_display_links = ["__str__"]
    list_filter = ["state", "reason"]
    list_select_related = ["device__model", "holder"]
    ordering = ["requested_at", "pk"]
    fieldsets = [
        (None, {"fields": ["device", "holder", "requested_by", "requested_at", "state", "reason"]}),
        (_("Data wipe"), {"fields": ["wipe_method", "wipe_certificate", "wiped_by", "wiped_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("device__model", "holder", "requested_by", "wiped_by")
        )

    def available(self, case, user):
        return actions.return_actions(case, user)

    @admin.display(description=_("open for"), ordering="requested_at")
    def age(self, case):
        if case.state == ReturnState.CLOSED:
            return None
        return timesince(case.requested_at, depth=1)


class DeviceFilterListFilter(admin.SimpleListFilter):
    """A list filter that asks devices.filters.DeviceFilter, so admin and pages agree."""

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return DeviceFilter(data={self.parameter_name: self.value()}, queryset=queryset).qs


class WarrantyFilter(DeviceFilterListFilter):
    title = _("warranty")
    parameter_name = "warranty"

    def lookups(self, request, model_admin):
        return WARRANTY_WINDOWS


class DepartmentFilter(DeviceFilterListFilter):
    """The department with its sub-departments."""

    title = _("department")
    parameter_name = "department"

    def lookups(self, request, model_admin):
        return [(d.pk, indented(d)) for d in as_tree(Department.objects.all())]


@admin.register(Device)
class DeviceAdmin(DeskAdmin):
    list_display = [
        "serial_number",
        "asset_tag",
        "model",
        "state",
        "holder_name",
        "department",
        "warranty_end",
    ]
    list_filter = ["state", "model__category", "model", DepartmentFilter, WarrantyFilter]
    search_fields = ["serial_number"]  # shows the box; the search is selectors.search_devices
    search_help_text = _(
        "The start of a serial number, IMEI or asset tag, or the holder's name or username."
    )
    list_select_related = ["model", "assignee", "department"]
    desk_views = {"assign": "assign_view"}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "serial_number",
                    "imei",
                    "asset_tag",
                    "model",
                    "state",
                    "assignee",
                    "department",
                ]
            },
        ),
        (_("Purchase"), {"fields": ["purchase_date", "purchase_price", "warranty_end"]}),
        (_("Management"), {"fields": ["mdm_identifier", "notes", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("model", "assignee", "department")

    def get_search_results(self, request, queryset, search_term):
        return selectors.search_devices(queryset, search_term), False

    @admin.display(description=_("held by"), ordering="assignee__last_name")
    def holder_name(self, device):
        holder = device.assignee
        return (holder.get_full_name() or holder.username) if holder else None

    def assign_view(self, request, device):
        form = PersonForm(request.POST)
        status = 400
        if form.is_valid():
            person = form.cleaned_data["person"]
            try:
                services.assign_device(
                    by=request.user,
                    device_id=device.pk,
                    user_id=person,
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as error:
                field = "person" if error.field == "user" else None
                form.add_error(field, str(error))
                status = error.status_code
            else:
                device.refresh_from_db()
                return self._done(
                    request,
                    device,
                    _("%(device)s is now held by %(name)s.")
                    % {"device": device, "name": self.holder_name(device)},
                )
        label = _("Assign to a person")
        return self._refused(request, device, name="assign", label=label, form=form, status=status)

    def desk_context(self, request, device, failed) -> dict:
        may_assign = (
            device.state == DeviceState.IN_STOCK
            and permissions.is_desk(request.user)
            and self.has_change_permission(request, device)
        )
        form = None
        if may_assign:
            form = failed[1] if failed and failed[0] == "assign" else PersonForm()
            form.auto_id = "id_assign_%s"
        assignments = Assignment.objects.filter(device=device).select_related("user", "assigned_by")
        events = DeviceEvent.objects.filter(device=device).select_related("actor")
        return {
            "desk": True,
            "assign_form": form,
            "assign_url": reverse("admin:devices_device_assign_view", args=[device.pk]),
            "assignments": list(assignments),
            "events": _timeline(events, DEVICE_WORKFLOW),
            "repair_cases": list(device.repair_cases.order_by("-reported_at")),
            "return_cases": list(device.return_cases.order_by("-requested_at")),
        }


from devices import admin_import  # noqa: E402, F401  (registers the DeviceImport admin)
