"""The demo fleet planned in memory: the devices bought (`Fleet`), and who holds which
one and which devices go through which case (`Plan`)."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from devices.choices import DeviceCategory, FaultCategory
from devices.demo.data import (
    ACCESSORIES,
    CARE,
    FAULTS,
    FLEET_SIZE,
    KITS,
    NEWER,
    OLD,
    PERSONA_KIT,
    REPAIR_STOPS,
    RETURN_STOPS,
    SPECS,
    TAG,
    L,
    P,
)
from devices.models import Device, DeviceModel
from devices.validators import luhn_check_digit
from portal import services as portal_services
from portal.choices import Role, WorkPattern
from portal.models import Department, User


def imei_for(tac: str, number: int) -> str:
    """A 15-digit IMEI: the model's 8-digit type code, a 6-digit number, the Luhn digit."""
    body = f"{tac}{number % 1_000_000:06d}"
    return body + luhn_check_digit(body)


def seed_models() -> dict[str, DeviceModel]:
    models = {}
    for spec in SPECS:
        model, _ = DeviceModel.objects.update_or_create(
            manufacturer=spec.manufacturer,
            name=spec.name,
            defaults={
                "category": spec.category,
                "operating_system": spec.os,
                "release_year": spec.year,
                "embodied_co2e_kg": spec.co2e,
                "default_repair_partner": spec.partner,
            },
        )
        models[spec.key] = model
    return models


class Fleet:
    """The demo devices, planned in memory and bought (created in stock) in one go."""

    def __init__(self, models: dict[str, DeviceModel], rng: random.Random):
        self.models, self.rng = models, rng
        self.specs = {spec.key: spec for spec in SPECS}
        self.key_of = {model.pk: key for key, model in models.items()}
        self.devices: list[Device] = []
        self.today = timezone.localdate()

    def add(self, key: str, *, age_days: tuple[int, int] | None = None) -> Device:
        spec, number = self.specs[key], len(self.devices) + 1
        released = datetime.date(spec.year, 9, 1)
        oldest = max((self.today - released).days, 30)
        low, high = age_days or (14, 6 * 365)
        age = self.rng.randint(min(low, oldest), min(high, oldest))
        bought = self.today - datetime.timedelta(days=age)
        years = 3 if spec.category == L else 2
        device = Device(
            model=self.models[key],
            serial_number=f"{spec.serial}{73_000 + number * 37:07d}",
            imei=imei_for(spec.tac, 104_729 * number) if spec.tac else None,
            asset_tag=f"{TAG}-{number:05d}",
            purchase_date=bought,
            purchase_price=Decimal(spec.price + self.rng.choice([-300, -100, 0, 0, 200])),
            warranty_end=bought.replace(year=bought.year + years)
            if (bought.month, bought.day) != (2, 29)
            else bought + datetime.timedelta(days=365 * years),
            mdm_identifier=f"intune-{number:05d}"
            if spec.category != DeviceCategory.ACCESSORY
            else "",
        )
        self.devices.append(device)
        return device

    def buy(self) -> None:
        Device.objects.bulk_create(self.devices, batch_size=500)


def _kit(department: Department) -> str:
    if department.code in CARE:
        return "care"
    if department.code.endswith("school"):
        return "school"
    if department.code in {"water-sewerage", "roads-parks"}:
        return "field"
    return "office"


def _leaver(password_hash: str) -> User:
    """A nurse of home nursing who has left; deactivated once the devices are handed out."""
    leaver, _ = User.objects.get_or_create(
        username="leaver",
        defaults={
            "first_name": "Tove",
            "last_name": "Lie",
            "email": "leaver@nordvik.example.org",
            "employee_number": "D09001",
            "department": Department.objects.get(code="home-nursing"),
            "line_manager": User.objects.get(username="manager"),
            "work_pattern": WorkPattern.FRONTLINE,
            "job_title": "Nurse (has left)",
            "password": password_hash,
        },
    )
    portal_services.set_roles(user=leaver, roles=[Role.EMPLOYEE])
    return leaver


@dataclass
class RepairPlan:
    holder: User
    device: Device
    stop: str
    fault: tuple[str, str]
    outcome: str = "repaired"
    loaner: Device | None = None
    replacement: Device | None = None


@dataclass
class ReturnPlan:
    holder: User
    device: Device
    stop: str
    reason: str
    disposal: str | None


class Plan:
    """Who gets which device, and which devices go through which case, before anything is
    bought: the fleet is created in one `bulk_create`, then handed out through services."""

    def __init__(self, fleet: Fleet, password_hash: str):
        self.fleet, self.rng = fleet, fleet.rng
        self.people = {u.username: u for u in User.objects.filter(username__in=PERSONA_KIT)}
        self.staff = list(
            User.objects.filter(username__startswith="staff", is_active=True)
            .select_related("department")
            .order_by("username")
        )
        self.leaver = _leaver(password_hash)
        self.held: list[tuple[User, Device]] = []
        self.kit = {name: [fleet.add(key) for key in keys] for name, keys in PERSONA_KIT.items()}
        for name, devices in self.kit.items():
            self.held += [(self.people[name], device) for device in devices]
        self.leavers_devices = [fleet.add("xcoverpro"), fleet.add("evolve2")]
        self.held += [(self.leaver, device) for device in self.leavers_devices]
        staff_held = self._staff_kit()
        self.employee_loaner = fleet.add("xcover7", age_days=(200, 500))
        self.repairs = self._repairs(staff_held)
        self.returns = self._returns()
        self.redeploy_to = self.staff[-12:]
        while len(fleet.devices) < FLEET_SIZE:
            fleet.add(
                self.rng.choice(["xcover7", "se3", "a55", "ipad10", "t14g5"]), age_days=(14, 240)
            )

    def _staff_kit(self) -> list[tuple[User, Device]]:
        made = []
        for index, person in enumerate(self.staff):
            phones, extras = KITS[_kit(person.department)]
            made.append((person, self.fleet.add(self.rng.choice(phones))))
            if index % 4 != 3:
                made.append((person, self.fleet.add(extras[index % len(extras)])))
        self.held += made
        return made

    def _repairs(self, staff_held) -> list[RepairPlan]:
        fixable = [
            (p, d) for p, d in staff_held if self.fleet.key_of[d.model_id] not in ACCESSORIES
        ]
        picked = self.rng.sample(fixable, len(REPAIR_STOPS))
        plans = []
        for index, ((holder, device), stop) in enumerate(zip(picked, REPAIR_STOPS, strict=True)):
            fault = FAULTS[index % len(FAULTS)]
            if stop == "reported" and index < 2:
                fault = (FaultCategory.LOST_OR_STOLEN, "Stolen from the car during a home visit.")
            plan = RepairPlan(holder, device, stop, fault)
            if stop in ("replaced", "beyond_repair"):
                plan.outcome = stop
            elif stop in ("returned_to_user", "closed") and index % 4 == 0:
                plan.outcome = "replaced"
            if plan.outcome == "replaced":
                plan.replacement = self.fleet.add(
                    self.fleet.key_of[device.model_id], age_days=(120, 400)
                )
            if device.model.category == P and stop != "reported" and index % 3 == 0:
                plan.loaner = self.fleet.add("se3", age_days=(300, 700))
            plans.append(plan)
        return plans

    def _returns(self) -> list[ReturnPlan]:
        plans = []
        for index, (stop, reason, disposal) in enumerate(RETURN_STOPS):
            final = disposal or stop
            if final in ("recycled", "refurbished"):
                device = self.fleet.add(OLD[index % len(OLD)], age_days=(3 * 365, 6 * 365))
            else:
                device = self.fleet.add(NEWER[index % len(NEWER)], age_days=(200, 3 * 365))
            holder = self.staff[(index * 7) % len(self.staff)]
            self.held.append((holder, device))
            plans.append(ReturnPlan(holder, device, stop, reason, disposal))
        return plans
