"""Who may do what in the app store: predicates used by services, views, admin and API."""

from __future__ import annotations

from portal.choices import Role


def owns_app(user, app) -> bool:
    """App owners manage the apps of their own department only."""
    return (
        user.is_authenticated
        and user.has_role(Role.APP_OWNER)
        and user.department_id is not None
        and user.department_id == app.department_id
    )


def may_review(user, app) -> bool:
    """IT reviewers review, but never an app of a department they own apps for."""
    if not (user.is_authenticated and user.has_role(Role.IT_REVIEWER)):
        return False
    return not owns_app(user, app)


def owns_version(user, version) -> bool:
    return owns_app(user, version.app)


def may_review_version(user, version) -> bool:
    return may_review(user, version.app)


def may_withdraw_version(user, version) -> bool:
    """The owners withdraw; so may a reviewer, for a security problem."""
    return owns_version(user, version) or may_review_version(user, version)


def is_assigned_reviewer(user, version) -> bool:
    return may_review_version(user, version) and version.reviewer_id == user.pk


def may_fill_checklist(user, version) -> bool:
    """Only the reviewer who claimed a version, while it is in review."""
    from appstore.choices import VersionState

    return version.state == VersionState.IN_REVIEW and is_assigned_reviewer(user, version)
