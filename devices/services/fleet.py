"""The fleet's own writes: new devices entering stock, and the desk handing one out."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.choices import DeviceState
from devices.models import Device, DeviceEvent
from devices.services.common import _devices, _hand_over
from portal.errors import RuleViolation
from portal.models import User


def add_to_stock(devices: list[Device], *, actor_id: int | None, comment: str) -> list[Device]:
    """New devices (from an import or the MDM) enter the fleet in stock, each with the
    first event of its timeline. Bulk writes; the caller holds the transaction."""
    for device in devices:
        device.state = DeviceState.IN_STOCK
    created = Device.objects.bulk_create(devices, batch_size=1000)
    now = timezone.now()
    DeviceEvent.objects.bulk_create(
        [
            DeviceEvent(
                device=device,
                actor_id=actor_id,
                from_state="",
                to_state=DeviceState.IN_STOCK,
                comment=comment,
                created_at=now,
            )
            for device in created
        ],
        batch_size=1000,
    )
    return created


@transaction.atomic
def assign_device(*, by, device_id: int, user_id: int, comment: str = "") -> Device:
    """The desk gives a device in stock to a person; the holder history keeps it."""
    person = User.objects.filter(pk=user_id, is_active=True).first()
    if person is None:
        raise RuleViolation(_("Choose an active person."), field="user")
    [device] = _devices(device_id)
    _hand_over(device, to=person, by=by, loan=False, comment=comment)
    return device
