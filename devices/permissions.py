"""Who may act on which device: predicates used by services, pages, admin and API."""

from __future__ import annotations

from portal.choices import Role


def is_desk(user) -> bool:
    return user.is_authenticated and (
        user.has_role(Role.LOGISTICS) or user.has_role(Role.ADMINISTRATOR)
    )


def holds(user, device) -> bool:
    return user.is_authenticated and device.assignee_id == user.pk


def manages(user, device) -> bool:
    """A line manager acts on the devices of their department and the departments below it."""
    if not (
        user.is_authenticated
        and user.has_role(Role.LINE_MANAGER)
        and user.department_id is not None
        and device.department_id is not None
    ):
        return False
    if device.department_id == user.department_id:
        return True
    from portal.models import Department

    return Department.objects.filter(
        pk=device.department_id, path__startswith=user.department.path
    ).exists()


def may_see_device(user, device) -> bool:
    return is_desk(user) or holds(user, device) or manages(user, device)


def desk(user, obj) -> bool:
    return is_desk(user)


# Which fields of a device a person reads, for the devices they may see at all. The one
# definition the device page, the API's serializers and the CSV export follow: what the
# fleet cost, how the MDM knows a device and the desk's own notes are the desk's.
DEVICE_FIELDS = frozenset(
    {
        "serial_number",
        "imei",
        "asset_tag",
        "model",
        "state",
        "holder",
        "department",
        "purchase_date",
        "warranty_end",
        "purchase_price",
        "mdm_identifier",
        "notes",
    }
)
DESK_ONLY_DEVICE_FIELDS = frozenset({"purchase_price", "mdm_identifier", "notes"})


def device_fields_for(user) -> frozenset[str]:
    """The device fields this person may read: all of them for the logistics desk (and
    administrators), the others without the desk-only ones."""
    if is_desk(user):
        return DEVICE_FIELDS
    return DEVICE_FIELDS - DESK_ONLY_DEVICE_FIELDS
