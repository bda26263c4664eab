"""`manage.py benchmark_people`: admin people search at the `city` profile, with figures.

Creates 400 departments and 30,000 people inside a transaction that is rolled back at
the end (the database is left as it was), then times the admin pages an administrator
uses most and prints the median of several runs, with the number of SQL queries.
"""

from __future__ import annotations

import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client

from portal.benchmarking import rolled_back, time_pages
from portal.choices import WorkPattern
from portal.models import Department, User


class Command(BaseCommand):
    help = "Time the people admin with 30,000 people and 400 departments (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=30_000)
        parser.add_argument("--departments", type=int, default=400)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, people: int, departments: int, runs: int, **options):
        rolled_back(
            lambda: self._run(people=people, departments=departments, runs=runs), self.stdout
        )

    def _run(self, *, people: int, departments: int, runs: int) -> None:
        started = time.perf_counter()
        root = Department.objects.create(name="Benchmark city", code="bench-root", cost_centre="B0")
        depts = [
            Department(
                name=f"Benchmark unit {i}", code=f"bench-{i}", cost_centre=f"B{i}", parent=root
            )
            for i in range(1, departments)
        ]
        Department.objects.bulk_create(depts, batch_size=1000)
        Department.objects.filter(code__startswith="bench-").exclude(pk=root.pk).update(
            path=root.path, depth=1
        )
        for dept in Department.objects.filter(code__startswith="bench-").exclude(pk=root.pk):
            Department.objects.filter(pk=dept.pk).update(path=f"{root.path}{dept.pk}/")
        dept_ids = list(
            Department.objects.filter(code__startswith="bench-").values_list("id", flat=True)
        )
        password = make_password(None)
        patterns = WorkPattern.values
        User.objects.bulk_create(
            [
                User(
                    username=f"bench{i:06d}",
                    first_name=f"First{i % 977}",
                    last_name=f"Last{i % 1931}",
                    email=f"bench{i:06d}@example.org",
                    employee_number=f"B{i:07d}",
                    department_id=dept_ids[i % len(dept_ids)],
                    work_pattern=patterns[i % len(patterns)],
                    password=password,
                )
                for i in range(people)
            ],
            batch_size=5000,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE portal_user; ANALYZE portal_department;")
        elapsed = time.perf_counter() - started
        self.stdout.write(f"data: {people} people, {departments} departments in {elapsed:.1f} s")

        admin = User.objects.create(username="bench-admin", is_staff=True, is_superuser=True)
        client = Client()
        client.force_login(admin)
        sample = User.objects.get(username="bench000042")
        pages = {
            "people list": "/admin/portal/user/",
            "search by last name": "/admin/portal/user/?q=Last1234",
            "search by employee number": "/admin/portal/user/?q=B0012345",
            "filter work pattern + active": (
                "/admin/portal/user/?work_pattern=frontline&is_active__exact=1"
            ),
            "people list, page 300": "/admin/portal/user/?p=300",
            "department list": "/admin/portal/department/",
            "department search": "/admin/portal/department/?q=unit 37",
            "person change form": f"/admin/portal/user/{sample.pk}/change/",
        }
        time_pages(self.stdout, client, pages, runs=runs)
