"""The fleet in the admin: reference data editable, devices and cases read-only for now
(their changes go through devices.services; the desk's actions come with issue 4's pages)."""

from django.contrib import admin

from devices.models import Device, DeviceEvent, DeviceModel, RepairCase, ReturnCase


@admin.register(DeviceModel)
class DeviceModelAdmin(admin.ModelAdmin):
    list_display = ["manufacturer", "name", "category", "operating_system", "release_year"]
    list_filter = ["category", "manufacturer"]
    search_fields = ["manufacturer", "name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeviceEventInline(admin.TabularInline):
    model = DeviceEvent
    fields = ["created_at", "actor", "from_state", "to_state", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["serial_number", "model", "state", "assignee", "department", "warranty_end"]
    list_filter = ["state", "model__category"]
    search_fields = ["=serial_number", "=imei", "=asset_tag", "assignee__username"]
    list_select_related = ["model", "assignee", "department"]
    inlines = [DeviceEventInline]


@admin.register(RepairCase)
class RepairCaseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "device", "category", "state", "is_security_event", "reported_at"]
    list_filter = ["state", "category", "is_security_event"]
    list_select_related = ["device", "device__model"]


@admin.register(ReturnCase)
class ReturnCaseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "device", "reason", "state", "requested_at"]
    list_filter = ["state", "reason"]
    list_select_related = ["device", "device__model"]


from devices import admin_import  # noqa: E402, F401  (registers the DeviceImport admin)
