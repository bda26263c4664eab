"""The fleet in the admin: device models, and devices with their holders, timeline and
the desk's hand-out form (through `services.assign_device`), with their list filters.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from devices import permissions, selectors, services
from devices.admin.common import DeskAdmin, _timeline
from devices.choices import DeviceState
from devices.filters import WARRANTY_WINDOWS, DeviceFilter
from devices.forms import PersonForm
from devices.models import Assignment, Device, DeviceEvent, DeviceModel
from devices.workflow import DEVICE_WORKFLOW
from portal.errors import DomainError
from portal.fields import as_tree, indented
from portal.models import Department


@admin.register(DeviceModel)
class DeviceModelAdmin(admin.ModelAdmin):
    list_display = ["manufacturer", "name", "category", "operating_system", "release_year"]
    list_filter = ["category", "manufacturer"]
    search_fields = ["manufacturer", "name"]


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

    def search(self, queryset, term):
        return selectors.search_devices(queryset, term)

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
