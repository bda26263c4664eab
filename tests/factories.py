"""factory_boy factories for the portal's people and departments."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from portal import services
from portal.choices import Role, WorkPattern
from portal.models import Department, User

TEST_PASSWORD = "correct-horse-battery"


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"dept-{n}")
    cost_centre = factory.Sequence(lambda n: f"CC{n:05d}")
    parent = None


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    employee_number = factory.Sequence(lambda n: f"T{n:06d}")
    department = factory.SubFactory(DepartmentFactory)
    work_pattern = WorkPattern.HYBRID
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """`UserFactory(roles=[Role.IT_REVIEWER])`; every person is at least an employee."""
        if not create:
            return
        services.set_roles(user=self, roles={Role.EMPLOYEE, *(extracted or [])})
