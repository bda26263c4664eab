"""The portal's share of the `city` profile: the department tree, the people, and the three
people the benchmark acts as (an employee, their line manager, the logistics desk)."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from portal.benchmarking import (
    CITY_PREFIX,
    CITY_ROOT_CODE,
    CityBuild,
    CityPage,
    register_city_builder,
    register_city_pages,
)
from portal.choices import Role, WorkPattern
from portal.models import Department, User

EMPLOYEE, MANAGER, DESK = "city-employee", "city-manager", "city-desk"
SURNAMES = [
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Lindqvist", "Andersson", "Nilsson", "Eriksson", "Svensson", "Dahl", "Lund", "Sørensen",
]  # fmt: skip
FIRST_NAMES = ["Anne", "Kari", "Lars", "Jonas", "Emma", "Sofie", "Henrik", "Maja", "Elias", "Ida"]
PATTERNS = [WorkPattern.FRONTLINE] * 6 + [WorkPattern.HYBRID] * 3 + [WorkPattern.OFFICE]
INACTIVE_EVERY = 200  # one person in 200 has left (some still hold devices)


def build(city: CityBuild) -> None:
    """400 departments (a root, 20 sectors, units under them) and 30,000 people."""
    from portal import services

    units = _departments(city.count(400, least=3))
    password = make_password(None)
    people = [
        User(
            username=f"{CITY_PREFIX}{i:06d}",
            first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
            last_name=SURNAMES[(i // 3) % len(SURNAMES)]
            + (f"-{SURNAMES[(i // 7) % len(SURNAMES)]}" if i % 5 == 0 else ""),
            email=f"{CITY_PREFIX}{i:06d}@example.org",
            employee_number=f"C{i:07d}",
            department_id=units[i % len(units)],
            work_pattern=PATTERNS[i % len(PATTERNS)],
            is_active=i % INACTIVE_EVERY != 7,
            password=password,
        )
        for i in range(city.count(30_000, least=10))
    ]
    User.objects.bulk_create(people, batch_size=5000)
    employee = User.objects.create(
        username=EMPLOYEE, first_name="Eva", last_name="Employee", department_id=units[0]
    )
    manager = User.objects.create(
        username=MANAGER, first_name="Mona", last_name="Manager", department_id=units[0]
    )
    desk = User.objects.create(username=DESK, first_name="Dag", last_name="Desk")
    services.set_roles(user=employee, roles=[Role.EMPLOYEE])
    services.set_roles(user=manager, roles=[Role.EMPLOYEE, Role.LINE_MANAGER])
    services.set_roles(user=desk, roles=[Role.EMPLOYEE, Role.LOGISTICS])
    person_ids = [employee.pk] + list(
        User.objects.filter(username__regex=rf"^{CITY_PREFIX}[0-9]+$")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    group = Group.objects.get(name=Role.EMPLOYEE.value)
    membership = User.groups.through
    membership.objects.bulk_create(
        [membership(user_id=pk, group_id=group.pk) for pk in person_ids[1:]], batch_size=10_000
    )
    city.made.update(
        unit_ids=units,
        person_ids=person_ids,
        employee_id=employee.pk,
        department_id=units[0],
    )
    departments = Department.objects.filter(code__startswith=CITY_PREFIX).count()
    city.stdout.write(f"  {departments} departments, {len(people)} people")


def _sectors(total: int) -> int:
    return max(1, min(20, total // 20))


def _departments(total: int) -> list[int]:
    """The root, its sectors, and the units under the sectors; returns the units' ids."""
    root = Department.objects.create(name="City", code=CITY_ROOT_CODE, cost_centre="CITY")
    sectors = _children(root, [f"sector-{i}" for i in range(_sectors(total))])
    names = [f"unit-{i}" for i in range(max(1, total - 1 - len(sectors)))]
    units = []
    for n, sector in enumerate(sectors):
        units += _children(sector, names[n :: len(sectors)])
    return [unit.pk for unit in units]


def _children(parent: Department, codes: list[str]) -> list[Department]:
    Department.objects.bulk_create(
        [
            Department(
                name=f"City {code.replace('-', ' ')}",
                code=f"{CITY_PREFIX}{code}",
                cost_centre=f"C-{code}",
                parent=parent,
            )
            for code in codes
        ],
        batch_size=1000,
    )
    made = Department.objects.filter(parent=parent)
    made.update(
        path=Concat(Value(parent.path), Cast("id", CharField()), Value("/")),
        depth=parent.depth + 1,
    )
    return list(made.order_by("pk"))


def clear() -> None:
    User.objects.filter(username__startswith=CITY_PREFIX).delete()
    city = Department.objects.filter(code__startswith=CITY_PREFIX)
    for depth in sorted(set(city.values_list("depth", flat=True)), reverse=True):
        city.filter(depth=depth).delete()


def pages() -> list[CityPage]:
    return [CityPage("/ (employee)", "/", EMPLOYEE)]


def register() -> None:
    register_city_builder("people", 0, build, clear)
    register_city_pages(pages, order=0)
