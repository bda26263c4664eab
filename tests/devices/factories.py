"""Device models, devices and cases, made as the desk would (through the services)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from devices import services
from devices.choices import DeviceCategory, FaultCategory, ReturnReason
from devices.models import Device, DeviceModel
from devices.validators import luhn_check_digit


def luhn_imei(body14: str) -> str:
    """A 15-digit IMEI whose last digit is the Luhn check digit of the first 14."""
    return body14 + luhn_check_digit(body14)


class DeviceModelFactory(DjangoModelFactory):
    class Meta:
        model = DeviceModel
        django_get_or_create = ("manufacturer", "name")

    manufacturer = "Samsung"
    name = factory.Sequence(lambda n: f"Galaxy XCover {n}")
    category = DeviceCategory.PHONE
    operating_system = "Android"
    release_year = 2024
    default_repair_partner = "Nordic Repair AS"


class DeviceFactory(DjangoModelFactory):
    """A device in stock."""

    class Meta:
        model = Device

    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
    imei = factory.Sequence(lambda n: luhn_imei(f"35{n:012d}"))
    asset_tag = factory.Sequence(lambda n: f"AT-{n:06d}")
    model = factory.SubFactory(DeviceModelFactory)


def held_device(*, holder, desk, **fields) -> Device:
    """A device from stock, assigned to `holder` by the desk user `desk`."""
    device = DeviceFactory(**fields)
    services.assign_device(by=desk, device_id=device.pk, user_id=holder.pk)
    device.refresh_from_db()
    return device


def open_repair(*, device, by, category=FaultCategory.SCREEN, description="Cracked screen"):
    return services.report_fault(
        by=by, device_id=device.pk, category=category, description=description
    )


def open_return(*, device, by, reason=ReturnReason.LEAVING):
    return services.request_return(by=by, device_id=device.pk, reason=reason)
