"""The devices' share of the `city` profile: 55,000 devices with their holders, 15,000
repair cases (open ones on the devices in repair, the rest history) and the return cases
of returned and retired devices. The rows are made as `benchmark_devices` makes them."""

from __future__ import annotations

from django.urls import reverse

from devices.choices import DeviceState
from devices.models import Assignment, Device, DeviceModel, RepairCase, ReturnCase
from portal.benchmarking import CityBuild, CityPage, register_city_builder, register_city_pages

ASSET_TAG_PREFIX = "BENCH-"  # what `benchmark_devices._devices` gives every device
EMPLOYEE, MANAGER, DESK = "city-employee", "city-manager", "city-desk"


def build(city: CityBuild) -> None:
    from devices.management.commands.benchmark_devices import _cases, _devices

    person_ids = city.made["person_ids"]
    made = _devices(city.count(55_000, least=20), person_ids)
    repairs, returns = _cases(made, city.count(15_000, least=5), person_ids)
    city.stdout.write(f"  {len(made)} devices, {repairs} repair and {returns} return cases")


def clear() -> None:
    city = {"device__asset_tag__startswith": ASSET_TAG_PREFIX}
    RepairCase.objects.filter(**city).delete()
    ReturnCase.objects.filter(**city).delete()
    Assignment.objects.filter(**city).delete()
    Device.objects.filter(asset_tag__startswith=ASSET_TAG_PREFIX).delete()
    DeviceModel.objects.filter(manufacturer__startswith="Bench ", devices__isnull=True).delete()


def pages() -> list[CityPage]:
    sample = (
        Device.objects.filter(asset_tag__startswith=ASSET_TAG_PREFIX, state=DeviceState.ASSIGNED)
        .order_by("pk")
        .first()
    )
    from devices.management.commands.benchmark_devices import SERIAL_PREFIX

    serial = sample.serial_number[:SERIAL_PREFIX]
    fleet = reverse("devices:fleet")
    api = {"Accept": "application/json"}
    return [
        CityPage("/devices/ (employee)", reverse("devices:mine"), EMPLOYEE),
        CityPage("/devices/team/ (manager)", reverse("devices:team"), MANAGER),
        CityPage("/devices/fleet/ (desk)", fleet, DESK),
        CityPage(f"/devices/fleet/?q={serial}", f"{fleet}?q={serial}", DESK),
        CityPage("/devices/desk/ (desk)", reverse("devices:desk"), DESK),
        CityPage("/api/v1/devices/ (desk)", reverse("api:device_list"), DESK, api),
    ]


def register() -> None:
    register_city_builder("devices", 20, build, clear)
    register_city_pages(pages, order=20)
