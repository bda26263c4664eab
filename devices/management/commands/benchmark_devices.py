"""`manage.py benchmark_devices`: the fleet's read paths at the `city` profile, with figures.

Creates 55,000 devices of 14 models over 400 departments and 30,000 people, with their
holder history and a few thousand repair and return cases, inside a transaction that is
rolled back at the end (the database is left as it was). Then times, through the test
client, what the logistics desk, a line manager and an employee open most: the lists,
searches and filters, a far page, the desk's queue, a device page, the CSV export (read
to its last row) and the API, and prints the median of several runs with the number of
SQL queries. Last, EXPLAIN ANALYZE of the serial-number prefix search shows whether it
uses the `device_serial_number_prefix` index.
"""

from __future__ import annotations

import datetime
import statistics
import time
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, Upper
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from devices import selectors
from devices.choices import DeviceState, RepairState, ReturnState, WipeMethod
from devices.demo import SPECS, imei_for
from devices.filters import DeviceFilter
from devices.models import Assignment, Device, DeviceModel, RepairCase, ReturnCase
from portal import services as portal_services
from portal.benchmarking import rolled_back
from portal.choices import Role, WorkPattern
from portal.models import Department, User

SURNAMES = [
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen",
    "Lund", "Sørensen", "Lindqvist", "Andersson", "Nilsson", "Eriksson", "Svensson",
]  # fmt: skip
FIRST_NAMES = ["Anne", "Kari", "Lars", "Jonas", "Emma", "Sofie", "Henrik", "Maja", "Elias", "Ida"]
# Out of every 100 devices: how many are in each state.
STATE_MIX = (
    [DeviceState.ASSIGNED] * 80
    + [DeviceState.IN_STOCK] * 10
    + [DeviceState.IN_REPAIR] * 3
    + [DeviceState.LOANED] * 2
    + [DeviceState.RETURNED] * 3
    + [DeviceState.RETIRED] * 2
)
HOLDS = {DeviceState.ASSIGNED, DeviceState.LOANED, DeviceState.IN_REPAIR}
SERIAL_PREFIX, IMEI_PREFIX = 9, 12  # what the desk types: enough to find a handful
INACTIVE_EVERY = 200  # one person in 200 has left, some still holding devices


class Command(BaseCommand):
    help = "Time the device fleet's pages and API with 55,000 devices (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--devices", type=int, default=55_000)
        parser.add_argument("--people", type=int, default=30_000)
        parser.add_argument("--departments", type=int, default=400)
        parser.add_argument("--cases", type=int, default=3_000, help="repair cases")
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, devices, people, departments, cases, runs, **options):
        rolled_back(
            lambda: self._run(
                devices=devices, people=people, departments=departments, cases=cases, runs=runs
            ),
            self.stdout,
        )

    def _run(self, *, devices: int, people: int, departments: int, cases: int, runs: int):
        started = time.perf_counter()
        dept_ids = _departments(departments)
        person_ids = _people(people, dept_ids)
        made = _devices(devices, person_ids)
        repairs, returns = _cases(made, cases, person_ids)
        with connection.cursor() as cursor:
            for table in ("portal_user", "portal_department", "devices_device"):
                cursor.execute(f"ANALYZE {table}")  # noqa: S608 - fixed table names
            cursor.execute("ANALYZE devices_assignment; ANALYZE devices_repaircase;")
            cursor.execute("ANALYZE devices_returncase;")
        self.stdout.write(
            f"data: {len(made)} devices, {len(person_ids)} people, "
            f"{len(dept_ids) + 1} departments, {repairs} repair and {returns} return cases "
            f"in {time.perf_counter() - started:.1f} s"
        )
        actors = _actors(made)
        sample = next(d for d in made if d.state == DeviceState.ASSIGNED and d.imei)
        self._time(actors, _pages(sample), runs=runs)
        self._explain(actors["desk"], sample.serial_number[:SERIAL_PREFIX])

    def _time(self, actors: dict, pages: list, *, runs: int) -> None:
        """Median and max milliseconds and the SQL queries of each page, read to the end."""
        clients = {}
        for who, user in actors.items():
            clients[who] = Client()
            clients[who].force_login(user)
        self.stdout.write(f"{'as':9} {'page':36} {'median ms':>10} {'max ms':>8} {'queries':>8}")
        for who, label, url, headers in pages:
            if url is None:
                self.stdout.write(f"{who:9} {label:36} (skipped: the URL does not resolve yet)")
                continue
            timings, queries, status = [], 0, 200
            for _ in range(runs):
                with CaptureQueriesContext(connection) as captured:
                    begun = time.perf_counter()
                    response = clients[who].get(url, headers=headers)
                    if response.streaming:
                        b"".join(response.streaming_content)
                    timings.append((time.perf_counter() - begun) * 1000)
                queries, status = len(captured), response.status_code
            if status != 200:
                self.stdout.write(f"{who:9} {label:36} (HTTP {status} from {url})")
                continue
            self.stdout.write(
                f"{who:9} {label:36} {statistics.median(timings):10.1f} "
                f"{max(timings):8.1f} {queries:8d}"
            )

    def _explain(self, desk: User, prefix: str) -> None:
        """EXPLAIN ANALYZE of the desk's serial-number prefix search, as the list runs it."""
        filtered = DeviceFilter({"q": prefix}, queryset=selectors.devices_visible_to(desk)).qs
        page = selectors.fleet_list(filtered)[:50]
        plan = page.explain(analyze=True)
        uses = "device_serial_number_prefix" in plan
        self.stdout.write(f"\nEXPLAIN ANALYZE: the fleet list searched for {prefix!r}, first page")
        for line in _summary(plan):
            self.stdout.write(f"  {line}")
        self.stdout.write(f"uses device_serial_number_prefix: {'yes' if uses else 'NO'}")
        if not uses:
            alone = Device.objects.annotate(_serial=Upper("serial_number")).filter(
                _serial__startswith=prefix.upper()
            )
            plan = alone.explain(analyze=True)
            self.stdout.write("The serial-number condition alone:")
            for line in _summary(plan):
                self.stdout.write(f"  {line}")


def _summary(plan: str, limit: int = 30) -> list[str]:
    lines = plan.splitlines()
    return lines if len(lines) <= limit else [*lines[: limit - 2], "...", lines[-1]]


def _url(name: str, *args, query: str = "") -> str | None:
    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def _pages(sample: Device) -> list[tuple[str, str, str | None, dict]]:
    surname = sample.assignee.last_name.split("-")[0]
    serial, imei = sample.serial_number[:SERIAL_PREFIX], sample.imei[:IMEI_PREFIX]
    api = {"Accept": "application/json"}
    return [
        ("desk", "fleet list", _url("devices:fleet"), {}),
        (
            "desk",
            f"search serial {serial!r}",
            _fleet(f"q={serial}"),
            {},
        ),
        ("desk", f"search IMEI {imei!r}", _fleet(f"q={imei}"), {}),
        ("desk", f"search holder {surname!r}", _fleet(f"q={surname}"), {}),
        ("desk", "filter state=in_repair", _fleet("state=in_repair"), {}),
        ("desk", "filter warranty=30", _fleet("warranty=30"), {}),
        ("desk", "filter age=5+", _fleet("age=5%2B"), {}),
        ("desk", "fleet list, page 500", _fleet("page=500"), {}),
        ("desk", "desk queue", _url("devices:desk"), {}),
        ("desk", "device page", _url("devices:device", sample.pk), {}),
        (
            "desk",
            "CSV export state=assigned (all)",
            _url("devices:export", query="state=assigned"),
            {},
        ),
        ("desk", "API devices", _url("api:device_list"), api),
        (
            "desk",
            "API devices ?q=serial",
            _url("api:device_list", query=f"q={serial}"),
            api,
        ),
        ("manager", "team list", _url("devices:team"), {}),
        ("manager", f"team search {surname!r}", _url("devices:team", query=f"q={surname}"), {}),
        ("manager", "API devices (department)", _url("api:device_list"), api),
        ("employee", "my devices", _url("devices:mine"), {}),
        ("employee", "API devices (own)", _url("api:device_list"), api),
    ]


def _fleet(query: str) -> str | None:
    return _url("devices:fleet", query=query)


def _departments(count: int) -> list[int]:
    root = Department.objects.create(
        name="Benchmark city", code="bench-dev-root", cost_centre="BD0"
    )
    Department.objects.bulk_create(
        [
            Department(
                name=f"Benchmark unit {i}", code=f"bench-dev-{i}", cost_centre=f"BD{i}", parent=root
            )
            for i in range(1, count)
        ],
        batch_size=1000,
    )
    children = Department.objects.filter(parent=root)
    children.update(
        path=Concat(Value(root.path), Cast("id", CharField()), Value("/")), depth=root.depth + 1
    )
    return list(children.order_by("pk").values_list("pk", flat=True))


def _people(count: int, dept_ids: list[int]) -> list[int]:
    password = make_password(None)
    User.objects.bulk_create(
        [
            User(
                username=f"bench-dev-{i:06d}",
                first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                last_name=SURNAMES[i % len(SURNAMES)]
                + (f"-{SURNAMES[(i // 7) % len(SURNAMES)]}" if i % 5 == 0 else ""),
                email=f"bench-dev-{i:06d}@example.org",
                employee_number=f"BD{i:07d}",
                department_id=dept_ids[i % len(dept_ids)],
                work_pattern=WorkPattern.FRONTLINE if i % 3 else WorkPattern.HYBRID,
                is_active=i % INACTIVE_EVERY != 7,
                password=password,
            )
            for i in range(count)
        ],
        batch_size=5000,
    )
    return list(
        User.objects.filter(username__startswith="bench-dev-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _devices(count: int, person_ids: list[int]) -> list[Device]:
    models = DeviceModel.objects.bulk_create(
        [
            DeviceModel(
                manufacturer=f"Bench {spec.manufacturer}",
                name=spec.name,
                category=spec.category,
                operating_system=spec.os,
                release_year=spec.year,
                embodied_co2e_kg=spec.co2e,
                default_repair_partner=spec.partner,
            )
            for spec in SPECS
        ]
    )
    departments = dict(User.objects.filter(pk__in=person_ids).values_list("pk", "department_id"))
    today = timezone.localdate()
    rows = []
    for i in range(count):
        spec, model = SPECS[i % len(SPECS)], models[i % len(models)]
        state = STATE_MIX[(i * 37) % len(STATE_MIX)]
        holder = person_ids[(i * 7919) % len(person_ids)] if state in HOLDS else None
        bought = today - datetime.timedelta(days=(i * 13) % (7 * 365))
        rows.append(
            Device(
                serial_number=f"{spec.serial}B{i:07d}",
                imei=imei_for(spec.tac, i) if spec.tac else None,
                asset_tag=f"BENCH-{i:06d}",
                model=model,
                state=state,
                assignee_id=holder,
                department_id=departments[holder] if holder else None,
                purchase_date=bought,
                purchase_price=Decimal(spec.price),
                warranty_end=bought + datetime.timedelta(days=730),
                mdm_identifier=f"intune-bench-{i}",
            )
        )
    made = Device.objects.bulk_create(rows, batch_size=5000)
    now = timezone.now()
    Assignment.objects.bulk_create(
        [
            Assignment(
                device=d,
                user_id=d.assignee_id,
                is_loan=d.state == DeviceState.LOANED,
                started_at=now,
            )
            for d in made
            if d.assignee_id
        ],
        batch_size=5000,
    )
    return made


def _cases(made: list[Device], count: int, person_ids: list[int]) -> tuple[int, int]:
    """Repair cases: open ones on the devices in repair, the rest closed history; return
    cases: received or wiped for the returned devices, closed for the retired ones."""
    now = timezone.now()
    in_repair = [d for d in made if d.state == DeviceState.IN_REPAIR]
    assigned = [d for d in made if d.state == DeviceState.ASSIGNED]
    repairs = [
        RepairCase(
            device=d,
            reported_by_id=d.assignee_id,
            holder_id=d.assignee_id,
            department_id=d.department_id,
            category="screen",
            description="Cracked screen",
            state=RepairState.AT_REPAIR_PARTNER if i % 2 else RepairState.IN_TRANSIT,
            repair_partner="Nordic Repair AS",
        )
        for i, d in enumerate(in_repair[:count])
    ]
    history = assigned[: max(count - len(repairs), 0)]
    repairs += [
        RepairCase(
            device=d,
            reported_by_id=d.assignee_id,
            holder_id=d.assignee_id,
            department_id=d.department_id,
            category="battery",
            description="Battery runs flat",
            state=RepairState.REPORTED if i % 10 == 0 else RepairState.CLOSED,
            returned_at=None if i % 10 == 0 else now,
        )
        for i, d in enumerate(history)
    ]
    RepairCase.objects.bulk_create(repairs, batch_size=5000)
    returned = [d for d in made if d.state in (DeviceState.RETURNED, DeviceState.RETIRED)]
    returns = [
        ReturnCase(
            device=d,
            requested_by_id=person_ids[i % len(person_ids)],
            holder_id=person_ids[i % len(person_ids)],
            department_id=d.department_id,
            reason="upgrade",
            state=_return_state(d, i),
            wipe_method=WipeMethod.MDM_REMOTE,
            wipe_certificate=f"WC-B{i:06d}",
            wiped_at=now,
        )
        for i, d in enumerate(returned[: count // 2])
    ]
    ReturnCase.objects.bulk_create(returns, batch_size=5000)
    return len(repairs), len(returns)


def _return_state(device: Device, i: int) -> str:
    if device.state == DeviceState.RETIRED:
        return ReturnState.CLOSED
    return ReturnState.WIPED if i % 2 else ReturnState.RECEIVED


def _actors(made: list[Device]) -> dict[str, User]:
    """The desk, a line manager of a department with devices, and an employee holding some."""
    employee = User.objects.get(
        pk=next(d.assignee_id for d in made if d.state == DeviceState.ASSIGNED)
    )
    manager = User.objects.create(
        username="bench-dev-manager", department_id=employee.department_id
    )
    portal_services.set_roles(user=manager, roles=[Role.EMPLOYEE, Role.LINE_MANAGER])
    desk = User.objects.create(username="bench-dev-desk")
    portal_services.set_roles(user=desk, roles=[Role.EMPLOYEE, Role.LOGISTICS])
    return {"desk": desk, "manager": manager, "employee": employee}
