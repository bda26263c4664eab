"""Reads of the app store that encode a rule: who sees which app, who is told."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from appstore.choices import VersionState
from appstore.models import App, AppVersion
from portal.choices import Role
from portal.models import User


def apps_visible_to(user) -> QuerySet[App]:
    """Published apps whose audience includes this person. Everything else is a 404."""
    if not user.is_authenticated:
        return App.objects.none()
    published = AppVersion.objects.filter(app=OuterRef("pk"), state=VersionState.PUBLISHED)
    audience = Q(audience_everyone=True)
    if user.department_id:
        ancestors = user.department.ancestor_ids()
        audience |= Q(
            Exists(
                App.audience_departments.through.objects.filter(
                    app_id=OuterRef("pk"), department_id__in=ancestors
                )
            )
        )
    roles = sorted(user.role_names)
    if roles:
        audience |= Q(audience_roles__overlap=roles)
    audience |= Q(audience_work_patterns__contains=[user.work_pattern])
    return App.objects.filter(Exists(published)).filter(audience)


def app_owners_of(app: App) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, department_id=app.department_id, groups__name=Role.APP_OWNER
    )


def reviewers_for(app: App) -> QuerySet[User]:
    """Active IT reviewers, less those who own apps in the app's department."""
    owners = app_owners_of(app).values("pk")
    return User.objects.filter(is_active=True, groups__name=Role.IT_REVIEWER).exclude(pk__in=owners)


def review_queue() -> QuerySet[AppVersion]:
    """Submitted and in-review versions, oldest first."""
    return (
        AppVersion.objects.filter(state__in=[VersionState.SUBMITTED, VersionState.IN_REVIEW])
        .select_related("app", "app__department", "reviewer")
        .order_by("submitted_at", "pk")
    )
