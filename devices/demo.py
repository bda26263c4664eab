"""Demo fleet: about 300 devices of 14 models, and repair and return cases in every state.

The devices are bought in one `bulk_create` (all in stock); everything after that goes
through `devices.services`, as the logistics desk and the staff would do it, so the
timelines, the holder history and the notifications are real. The demo `employee` holds a
phone and a tablet with one open repair case (cracked screen, triaged, with a loaner); a
leaver of home nursing, deactivated after the fact, still holds devices, and one of them
has a return requested by the manager. The whole fleet is keyed on its asset tags, so a
second run adds nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from devices import services
from devices.choices import DeviceCategory, FaultCategory, ReturnReason, WipeMethod
from devices.models import Device, DeviceModel
from devices.validators import luhn_check_digit
from portal import services as portal_services
from portal.choices import Role, WorkPattern
from portal.demo.clock import DAY, DemoClock
from portal.models import Department, Notification, User

TAG = "NVK"  # asset tags NVK-00001...: the demo fleet's natural key
FLEET_SIZE = 280
P, L = DeviceCategory.PHONE, DeviceCategory.LAPTOP


@dataclass(frozen=True)
class Spec:
    key: str
    manufacturer: str
    name: str
    category: str
    os: str
    year: int
    co2e: Decimal
    partner: str
    price: int
    serial: str
    tac: str  # the first 8 IMEI digits; "" for a device without a mobile radio


# key | manufacturer | model | category | OS | released | embodied CO2e kg | repair partner |
# price NOK | serial number prefix | IMEI type allocation code
MODEL_TABLE = """
xcover7    | Samsung   | Galaxy XCover7             | phone     | Android    | 2024 | 49  | Nordic Repair AS           | 4290  | R5CX | 35162811
a55        | Samsung   | Galaxy A55 5G              | phone     | Android    | 2024 | 55  | Nordic Repair AS           | 4990  | R5CY | 35394917
xcoverpro  | Samsung   | Galaxy XCover Pro          | phone     | Android    | 2020 | 58  | Nordic Repair AS           | 5490  | R58N | 35412311
se3        | Apple     | iPhone SE (3rd generation) | phone     | iOS        | 2022 | 46  | Fjordtech Apple-service AS | 5990  | F4GZ | 35696437
iphone15   | Apple     | iPhone 15                  | phone     | iOS        | 2023 | 56  | Fjordtech Apple-service AS | 10990 | G7QD | 35837418
iphone11   | Apple     | iPhone 11                  | phone     | iOS        | 2019 | 72  | Fjordtech Apple-service AS | 7990  | F2LZ | 35325011
tc22       | Zebra     | TC22 mobile computer       | phone     | Android    | 2023 | 61  | Zebra OneCare depot        | 8990  | 2318 |
ipad10     | Apple     | iPad (10th generation)     | tablet    | iPadOS     | 2022 | 79  | Fjordtech Apple-service AS | 7990  | H9XW | 35474818
tabactive5 | Samsung   | Galaxy Tab Active5         | tablet    | Android    | 2024 | 96  | Nordic Repair AS           | 7490  | R52W | 35098127
surfacego4 | Microsoft | Surface Go 4               | tablet    | Windows 11 | 2023 | 118 | Microsoft business repair  | 7990  | 0F3  |
t14g5      | Lenovo    | ThinkPad T14 Gen 5         | laptop    | Windows 11 | 2024 | 298 | Lenovo depot service       | 16990 | PF5  |
t14g1      | Lenovo    | ThinkPad T14 Gen 1         | laptop    | Windows 11 | 2020 | 332 | Lenovo depot service       | 14490 | PF2  |
evolve2    | Jabra     | Evolve2 65 headset         | accessory |            | 2020 | 8   | Nordic Repair AS           | 2190  | EV2  |
cradle     | Zebra     | TC22 charging cradle       | accessory |            | 2023 | 6   | Zebra OneCare depot        | 990   | CR1  |
"""  # noqa: E501


def _spec(line: str) -> Spec:
    key, maker, name, category, os, year, co2e, partner, price, serial, tac = (
        cell.strip() for cell in line.split("|")
    )
    return Spec(
        key, maker, name, category, os, int(year), Decimal(co2e), partner, int(price), serial, tac
    )  # noqa: E501


SPECS = [_spec(line) for line in MODEL_TABLE.strip().splitlines()]
# What each kind of department carries: (phone models, second devices).
CARE = {"home-nursing", "home-nursing-north", "home-nursing-south", "elder-care", "solbakken"}
KITS = {
    "care": (["xcover7", "xcover7", "xcoverpro"], ["ipad10", "tabactive5"]),
    "school": (["se3", "iphone11"], ["t14g5", "t14g1", "surfacego4", "ipad10"]),
    "field": (["xcover7", "xcoverpro"], ["tc22", "cradle"]),
    "office": (["iphone15", "a55", "se3"], ["t14g5", "t14g1", "evolve2"]),
}
PERSONA_KIT = {
    "employee": ["xcover7", "ipad10"],
    "manager": ["iphone15", "t14g5"],
    "appowner": ["xcover7", "t14g5"],
    "reviewer": ["iphone15", "t14g5"],
    "logistics": ["a55", "t14g5", "evolve2"],
    "trainer": ["se3", "surfacego4"],
    "admin": ["iphone15", "t14g5"],
}
# Repair cases: where each stops, the fault, and whether a loaner goes out.
REPAIR_STOPS = (
    ["reported"] * 3
    + ["triaged"] * 2
    + ["in_transit"] * 3
    + ["at_repair_partner"] * 3
    + ["repaired"] * 2
    + ["replaced"] * 2
    + ["beyond_repair"] * 2
    + ["returned_to_user"] * 3
    + ["closed"] * 10
)
FAULTS = [
    (FaultCategory.SCREEN, "Dropped it on the pavement; the screen is cracked across."),
    (FaultCategory.BATTERY, "The battery runs flat before lunch and the back is bulging."),
    (FaultCategory.WATER, "Got soaked in the rain on a home visit; it will not start."),
    (FaultCategory.SOFTWARE, "Stuck on the start-up logo after the last update."),
    (FaultCategory.OTHER, "The charging port is loose; it only charges at an angle."),
    (FaultCategory.SCREEN, "The touch screen does not react in the lower third."),
]
# Return cases: reason and where each stops (closed ones were disposed of first).
RETURN_STOPS = [
    ("requested", ReturnReason.UPGRADE, None),
    ("requested", ReturnReason.NO_LONGER_NEEDED, None),
    ("in_transit", ReturnReason.UPGRADE, None),
    ("in_transit", ReturnReason.BROKEN, None),
    ("received", ReturnReason.UPGRADE, None),
    ("received", ReturnReason.LEAVING, None),
    ("wiped", ReturnReason.UPGRADE, None),
    ("wiped", ReturnReason.BROKEN, None),
    ("redeployed", ReturnReason.NO_LONGER_NEEDED, None),
    ("refurbished", ReturnReason.UPGRADE, None),
    ("recycled", ReturnReason.BROKEN, None),
    *[("closed", ReturnReason.UPGRADE, "recycled")] * 22,
    *[("closed", ReturnReason.LEAVING, "redeployed")] * 8,
    *[("closed", ReturnReason.NO_LONGER_NEEDED, "refurbished")] * 6,
]
CARRIERS = ["Bring", "PostNord", "DHL Express"]
ACCESSORIES = {"evolve2", "cradle"}
OLD = ["iphone11", "xcoverpro", "t14g1"]  # what is recycled or refurbished after years
NEWER = ["se3", "a55", "xcover7", "ipad10", "t14g5"]
# (laptop?, recycled?) -> how the data is wiped
WIPE_FOR = {
    (False, False): WipeMethod.MDM_REMOTE,
    (False, True): WipeMethod.PHYSICAL_DESTRUCTION,
    (True, False): WipeMethod.CERTIFIED_ERASURE,
    (True, True): WipeMethod.PHYSICAL_DESTRUCTION,
}


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


class Act:
    """The plan carried out through `devices.services`, as the desk and the staff do it,
    each step on its own day: devices handed out soon after purchase, closed cases
    finished weeks or months ago, open ones moving in the last days."""

    def __init__(self, plan: Plan):
        self.plan, self.fleet = plan, plan.fleet
        self.clock = DemoClock(plan.rng)
        self.desk = User.objects.get(username="logistics")
        self.admin = User.objects.get(username="admin")
        self.manager = plan.people["manager"]
        self.handed_out: dict[int, datetime.datetime] = {}

    def hand_out(self) -> None:
        for person, device in self.plan.held:
            bought = datetime.datetime.combine(
                device.purchase_date, datetime.time(12), tzinfo=timezone.get_current_timezone()
            )
            when = self.clock.working_hours(bought + DAY * self.plan.rng.randint(1, 6))
            with self.clock.at(min(when, self.clock.now - 3 * DAY)) as when:
                services.assign_device(by=self.desk, device_id=device.pk, user_id=person.pk)
            self.handed_out[device.pk] = when

    def employees_cracked_screen(self) -> None:
        employee = self.plan.people["employee"]
        phone = self.plan.kit["employee"][0]
        case: list = []

        def report():
            case.append(
                services.report_fault(
                    by=employee,
                    device_id=phone.pk,
                    category=FaultCategory.SCREEN,
                    description="Dropped it getting out of the car; the screen is cracked "
                    "and the lower corner no longer reacts to touch.",
                    data_backed_up=True,
                )
            )

        def triage():
            services.triage_case(
                by=self.desk, case_id=case[0].pk, comment="Screen swap, no data loss."
            )
            services.lend_loaner(
                by=self.desk, case_id=case[0].pk, loaner_id=self.plan.employee_loaner.pk
            )

        days = (self.clock.now - 2 * DAY, self.clock.now - DAY)  # reported, triaged
        self.clock.run([report, triage], [self.clock.working_hours(day) for day in days])

    def repair(self, plan: RepairPlan) -> None:
        reporter = plan.holder
        if self.manager.department_id == plan.holder.department_id and plan.stop == "closed":
            reporter = self.manager  # the manager reports for one of their nurses
        category, description = plan.fault
        case: list = []

        def report():
            case.append(
                services.report_fault(
                    by=reporter,
                    device_id=plan.device.pk,
                    category=category,
                    description=description,
                    data_backed_up=category != FaultCategory.WATER,
                )
            )

        steps = [report, *self._repair_steps(lambda: case[0].pk, plan)]
        times = self.clock.schedule(
            len(steps), after=self.handed_out[plan.device.pk], finished=plan.stop == "closed"
        )
        self.clock.run(steps, times)

    def _repair_steps(self, case_id, plan: RepairPlan) -> list:
        """The desk's steps after the report, up to where the plan stops."""
        desk = self.desk

        def triage():
            services.triage_case(by=desk, case_id=case_id())
            if plan.loaner is not None:
                services.lend_loaner(by=desk, case_id=case_id(), loaner_id=plan.loaner.pk)

        def ship():
            services.ship_case(
                by=desk,
                case_id=case_id(),
                carrier=CARRIERS[case_id() % len(CARRIERS)],
                tracking_number=f"70{7_301_000_000_000 + case_id() * 7919}",
            )

        steps = [
            ("triaged", triage),
            ("in_transit", ship),
            ("at_repair_partner", lambda: services.case_at_partner(by=desk, case_id=case_id())),
            (plan.outcome, lambda: self._outcome(case_id(), plan)),
            ("returned_to_user", lambda: services.return_to_user(by=desk, case_id=case_id())),
            ("closed", lambda: services.close_case(by=desk, case_id=case_id())),
        ]
        if plan.stop == "reported":
            return []
        # an outcome stop ("replaced", ...) is the plan's outcome, so it is in the list
        done = [state for state, _step in steps].index(plan.stop)
        return [step for _state, step in steps[: done + 1]]

    def _outcome(self, case_id: int, plan: RepairPlan) -> None:
        warranty = bool(plan.device.warranty_end and plan.device.warranty_end >= self.fleet.today)
        services.record_outcome(
            by=self.desk,
            case_id=case_id,
            outcome=plan.outcome,
            cost=Decimal(0) if warranty else Decimal(890 + 450 * (case_id % 4)),
            warranty_covered=warranty,
            replacement_id=plan.replacement.pk if plan.replacement else None,
            comment={
                "repaired": "Repaired by the partner; tested and cleaned.",
                "replaced": "Not worth repairing: replaced from stock.",
                "beyond_repair": "The main board is damaged; the partner cannot repair it.",
            }[plan.outcome],
        )

    def give_back(self, plan: ReturnPlan, number: int) -> None:
        desk = self.desk
        case: list = []
        laptop = plan.device.model.category == L
        disposal = plan.disposal or plan.stop
        steps = [
            (
                "requested",
                lambda: case.append(
                    services.request_return(
                        by=plan.holder, device_id=plan.device.pk, reason=plan.reason
                    )
                ),
            )
        ]
        if number % 2 or plan.stop == "in_transit":
            steps.append(
                (
                    "in_transit",
                    lambda: services.ship_return(
                        by=plan.holder, case_id=case[0].pk, comment="Sent with Bring."
                    ),
                )
            )
        steps += [
            ("received", lambda: services.receive_return(by=desk, case_id=case[0].pk)),
            (
                "wiped",
                lambda: services.record_wipe(
                    by=desk if number % 3 else self.admin,
                    case_id=case[0].pk,
                    method=WIPE_FOR[(laptop, disposal == "recycled")],
                    certificate=f"WC-{self.fleet.today.year}-{case[0].pk:05d}",
                ),
            ),
            (
                disposal,
                lambda: services.dispose_return(by=desk, case_id=case[0].pk, outcome=disposal),
            ),
            ("closed", lambda: services.close_return(by=desk, case_id=case[0].pk)),
        ]
        done = [state for state, _step in steps].index(plan.stop)
        todo = [step for _state, step in steps[: done + 1]]
        redeploy = (
            disposal == "redeployed"
            and self.plan.redeploy_to
            and plan.stop
            in (
                "redeployed",
                "closed",
            )
        )
        if redeploy:
            person = self.plan.redeploy_to.pop()
            todo.append(
                lambda: services.assign_device(by=desk, device_id=plan.device.pk, user_id=person.pk)
            )
        times = self.clock.schedule(
            len(todo), after=self.handed_out[plan.device.pk], finished=plan.stop == "closed"
        )
        self.clock.run(todo, times)

    def leaver_leaves(self) -> None:
        """The manager asks for the leaver's phone back; then the account is deactivated
        while both devices are still out, so the desk's queue shows them."""
        phone = self.plan.leavers_devices[0]
        with self.clock.at(self.clock.working_hours(self.clock.now - 3 * DAY)):
            services.request_return(
                by=self.manager, device_id=phone.pk, reason=ReturnReason.LEAVING
            )
        User.objects.filter(pk=self.plan.leaver.pk).update(is_active=False)


def _quiet_emails(since: int) -> None:
    """The demo's people have no mailboxes: their notifications stay in the portal, and
    the emails are marked as sent so the console backend does not print hundreds."""
    Notification.objects.filter(pk__gt=since, email_sent_at__isnull=True).update(
        email_sent_at=timezone.now()
    )


@transaction.atomic
def seed(*, password: str) -> None:
    models = seed_models()
    if Device.objects.filter(asset_tag=f"{TAG}-00001").exists():
        return
    since = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(20261123)  # noqa: S311 - the same demo fleet every run
    fleet = Fleet(models, rng)
    plan = Plan(fleet, User.objects.get(username="employee").password)
    fleet.buy()
    act = Act(plan)
    act.hand_out()
    act.employees_cracked_screen()
    for repair in plan.repairs:
        act.repair(repair)
    for number, giving_back in enumerate(plan.returns):
        act.give_back(giving_back, number)
    act.leaver_leaves()
    _quiet_emails(since)
