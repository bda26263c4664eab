"""Demo data of the portal itself: a municipality's departments, people and the role users.

Later apps add their own `seed(...)` step to `SEED_STEPS`; `seed_demo` runs them in order.
Everything is keyed on stable natural keys (department code, username), so a second run
updates in place and creates nothing new.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from portal import services
from portal.choices import Language, Role, WorkPattern
from portal.models import Department, User

# code, name, cost centre, parent code
DEPARTMENTS = [
    ("nordvik", "Nordvik municipality", "1000", None),
    ("health-care", "Health and care", "2000", "nordvik"),
    ("home-nursing", "Home nursing", "2100", "health-care"),
    ("home-nursing-north", "Home nursing, north district", "2110", "home-nursing"),
    ("home-nursing-south", "Home nursing, south district", "2120", "home-nursing"),
    ("elder-care", "Elder care", "2200", "health-care"),
    ("solbakken", "Solbakken nursing home", "2210", "elder-care"),
    ("education", "Education", "3000", "nordvik"),
    ("nordvik-school", "Nordvik primary school", "3110", "education"),
    ("bakken-school", "Bakken lower secondary school", "3120", "education"),
    ("technical", "Technical services", "4000", "nordvik"),
    ("water-sewerage", "Water and sewerage", "4100", "technical"),
    ("roads-parks", "Roads, parks and cemeteries", "4200", "technical"),
    ("administration", "Central administration", "5000", "nordvik"),
    ("it", "IT services", "5100", "administration"),
    ("finance", "Finance", "5200", "administration"),
    ("hr", "HR and training", "5300", "administration"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    department: str
    roles: tuple[Role, ...]
    work_pattern: str
    job_title: str
    manager: str | None = None
    superuser: bool = False


DEMO_USERS = [
    DemoUser(
        "manager",
        "Marte",
        "Lund",
        "home-nursing",
        (Role.EMPLOYEE, Role.LINE_MANAGER),
        WorkPattern.HYBRID,
        "Head of home nursing",
    ),
    DemoUser(
        "employee",
        "Nora",
        "Berg",
        "home-nursing-north",
        (Role.EMPLOYEE,),
        WorkPattern.FRONTLINE,
        "Nurse",
        manager="manager",
    ),
    DemoUser(
        "appowner",
        "Ola",
        "Strand",
        "water-sewerage",
        (Role.EMPLOYEE, Role.APP_OWNER),
        WorkPattern.HYBRID,
        "Digitalisation adviser",
    ),
    DemoUser(
        "reviewer",
        "Ingrid",
        "Dahl",
        "it",
        (Role.EMPLOYEE, Role.IT_REVIEWER),
        WorkPattern.OFFICE,
        "Security architect",
    ),
    DemoUser(
        "logistics",
        "Per",
        "Moen",
        "it",
        (Role.EMPLOYEE, Role.LOGISTICS),
        WorkPattern.OFFICE,
        "Device logistics",
    ),
    DemoUser(
        "trainer",
        "Siri",
        "Haugen",
        "hr",
        (Role.EMPLOYEE, Role.TRAINING_COORDINATOR),
        WorkPattern.HYBRID,
        "Training coordinator",
    ),
    DemoUser(
        "admin",
        "Aksel",
        "Nilsen",
        "it",
        (Role.EMPLOYEE, Role.ADMINISTRATOR),
        WorkPattern.OFFICE,
        "Portal administrator",
        superuser=True,
    ),
]

FIRST_NAMES = [
    "Anne",
    "Kari",
    "Lars",
    "Jonas",
    "Emma",
    "Sofie",
    "Henrik",
    "Maja",
    "Elias",
    "Ida",
    "Aksel",
    "Thea",
    "Filip",
    "Sara",
    "Linnea",
    "Oskar",
    "Astrid",
    "Erik",
]
LAST_NAMES = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersson",
    "Pedersen",
    "Nilsson",
    "Karlsen",
    "Eriksson",
    "Solberg",
    "Bakke",
    "Lie",
    "Holm",
    "Lindqvist",
]
FRONTLINE = {
    "home-nursing-north",
    "home-nursing-south",
    "solbakken",
    "roads-parks",
    "water-sewerage",
}


def seed_departments() -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for code, name, cost_centre, parent_code in DEPARTMENTS:
        department = Department.objects.filter(code=code).first() or Department(code=code)
        department.name = name
        department.cost_centre = cost_centre
        department.parent = departments.get(parent_code) if parent_code else None
        department.save()
        departments[code] = department
    return departments


def _upsert_user(username: str, password_hash: str, **fields) -> User:
    user = User.objects.filter(username=username).first() or User(username=username)
    for name, value in fields.items():
        setattr(user, name, value)
    user.password = password_hash
    user.save()
    return user


def seed_people(departments: dict[str, Department], *, password: str, staff_count: int) -> None:
    # One hash for every demo account: hashing is deliberately slow, the demo need not be.
    password_hash = make_password(password)
    made: dict[str, User] = {}
    for number, demo in enumerate(DEMO_USERS, start=1):
        user = _upsert_user(
            demo.username,
            password_hash,
            first_name=demo.first_name,
            last_name=demo.last_name,
            email=f"{demo.username}@nordvik.example.org",
            employee_number=f"D{number:05d}",
            department=departments[demo.department],
            line_manager=made.get(demo.manager) if demo.manager else None,
            work_pattern=demo.work_pattern,
            job_title=demo.job_title,
            preferred_language=Language.ENGLISH,
            is_superuser=demo.superuser,
            is_active=True,
        )
        services.set_roles(user=user, roles=demo.roles)
        made[demo.username] = user

    rng = random.Random(20261122)  # noqa: S311 - the same demo people every run
    leaf_codes = [
        code
        for code, *_ in DEPARTMENTS
        if code not in {"nordvik", "health-care", "education", "technical", "administration"}
    ]
    manager = made["manager"]
    for index in range(staff_count):
        code = leaf_codes[index % len(leaf_codes)]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        user = _upsert_user(
            f"staff{index + 1:04d}",
            password_hash,
            first_name=first,
            last_name=last,
            email=f"staff{index + 1:04d}@nordvik.example.org",
            employee_number=f"E{index + 1:05d}",
            department=departments[code],
            line_manager=manager if code.startswith("home-nursing") else None,
            work_pattern=WorkPattern.FRONTLINE if code in FRONTLINE else WorkPattern.HYBRID,
            job_title="Nurse" if code.startswith("home-nursing") else "",
            preferred_language=rng.choice(Language.values),
        )
        services.set_roles(user=user, roles=[Role.EMPLOYEE])


@transaction.atomic
def seed(*, password: str, staff_count: int = 60) -> None:
    departments = seed_departments()
    seed_people(departments, password=password, staff_count=staff_count)
