"""Reads of the portal that encode a rule."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.models import Department, Notification, User


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def people_of_department(department: Department, *, include_sub_departments: bool = True):
    """Active people of a department (and, by default, of the departments below it)."""
    people = User.objects.filter(is_active=True)
    if include_sub_departments:
        return people.filter(department__path__startswith=department.path)
    return people.filter(department=department)


def user_profile(user_id: int) -> User:
    return (
        User.objects.select_related("department", "line_manager")
        .prefetch_related("groups")
        .get(pk=user_id)
    )
