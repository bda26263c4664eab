"""The demo catalogue seeded through the services under the demo clock: each app created
and its versions walked through review on their own days, then installations and ratings."""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from appstore import selectors, services
from appstore.choices import CheckResult, DataClassification, Platform
from appstore.demo import images
from appstore.demo.data import (
    APPS,
    FEATURED,
    INSTALLED_BY_EMPLOYEE,
    LISTING_CHANGE_APP,
    NOT_PUBLISHED,
    PACKAGE_APP,
    PLATFORM_SETS,
    RATINGS,
    REQUIRED,
    STOPS,
    UPDATE_APP,
)
from appstore.models import App, ChecklistItem
from portal import services as portal_services
from portal.choices import Role, WorkPattern
from portal.demo.clock import DAY, DemoClock
from portal.models import Department, User


def _owner(department: Department, password_hash: str) -> User:
    """The demo app owner of a department (the `appowner` demo user for water)."""
    if department.code == "water-sewerage":
        return User.objects.get(username="appowner")
    user, _ = User.objects.get_or_create(
        username=f"owner-{department.code}",
        defaults={
            "first_name": "App owner",
            "last_name": department.name,
            "email": f"owner-{department.code}@nordvik.example.org",
            "department": department,
            "password": password_hash,
        },
    )
    portal_services.set_roles(user=user, roles=[Role.EMPLOYEE, Role.APP_OWNER])
    return user


def _audience(spec: str, own: Department) -> dict:
    if spec == "all":
        return {"audience_everyone": True}
    if spec == "own":
        return {"audience_departments": [own]}
    if spec in WorkPattern.values:
        return {"audience_work_patterns": [spec]}
    return {"audience_departments": [Department.objects.get(code=spec)]}


def _add_screenshots(version, owner) -> None:
    app = version.app
    for rows, what in [(6, "today's list of work"), (3, "the details of one task")]:
        services.add_screenshot(
            by=owner,
            version_id=version.pk,
            image=images.screenshot(app.name, app.category, rows),
            alt_text=f"{app.name}: {what}",
        )


def _add_artifacts(version, owner, platforms) -> None:
    slug = version.app.slug
    for platform in platforms:
        if platform == Platform.ANDROID and version.app.name == PACKAGE_APP:
            services.add_artifact(
                by=owner, version_id=version.pk, platform=platform, package=images.apk()
            )
            continue
        if platform == Platform.WEB:
            route = {"web_url": f"https://apps.nordvik.example.org/{slug}/"}
        else:
            route = {
                "mdm_identifier": f"no.nordvik.{slug.replace('-', '')}",
                "store_url": f"https://mdm.nordvik.example.org/apps/{slug}/{platform}",
                "min_os_version": {"ios": "16", "android": "12", "windows": "10"}[platform],
            }
        services.add_artifact(by=owner, version_id=version.pk, platform=platform, **route)


def _walk(version, owner, reviewer, stop: str, clock: DemoClock) -> None:
    """The version through review, a day or two between the steps."""
    if stop == "draft":
        return
    clock.advance(2, 30)
    services.submit_version(by=owner, version_id=version.pk)
    if stop == "submitted":
        return
    clock.advance(4, 40)
    services.claim_version(by=reviewer, version_id=version.pk)
    if stop == "in_review":
        return
    clock.advance(3, 48)
    if stop == "changes_requested":
        services.request_changes(
            by=reviewer, version_id=version.pk, comment="Please use the organisation's SSO login."
        )
        return
    if stop == "rejected":
        services.reject_version(
            by=reviewer, version_id=version.pk, comment="Duplicates an approved app."
        )
        return
    answers = {
        item.pk: (CheckResult.PASS, "") for item in ChecklistItem.objects.filter(is_active=True)
    }
    services.record_checklist(by=reviewer, version_id=version.pk, answers=answers)
    services.approve_version(by=reviewer, version_id=version.pk)


@transaction.atomic
def seed(*, password: str) -> None:
    reviewer = User.objects.get(username="reviewer")
    administrator = User.objects.get(username="admin")
    password_hash = User.objects.get(username="employee").password
    clock = DemoClock(random.Random(20261122))  # noqa: S311 - the same demo every run
    for index, spec in enumerate(APPS):
        name, dept_code = spec[0], spec[3]
        if App.objects.filter(name=name).exists():
            continue
        owner = _owner(Department.objects.get(code=dept_code), password_hash)
        with clock.ticking(_started(index, clock)):
            _seed_app(
                index,
                spec,
                owner,
                reviewer=reviewer,
                administrator=administrator,
                clock=clock,
            )
    _seed_usage()


def _started(index: int, clock: DemoClock) -> datetime.datetime:
    """When the app was created: live apps over the last year; an app whose first version
    is still in the workflow, in the last two weeks (so the review queue has ages)."""
    if _first_stop(index) != "published":
        return clock.now - DAY * clock.rng.randint(3, 14)
    return clock.now - DAY * (40 + (index * 37) % 320)


def _first_stop(index: int) -> str:
    # Most apps are live; every eighth never got past review.
    return NOT_PUBLISHED[(index // 8) % 5] if index % 8 == 7 else "published"


def _seed_app(index: int, spec: tuple, owner: User, *, reviewer, administrator, clock) -> None:
    """One app of the catalogue, its versions walked through review on their own days."""
    name, summary, category, dept_code, audience, personal = spec
    department = owner.department
    app = services.create_app(
        by=owner,
        name=name,
        summary=summary,
        description=f"{summary}. Made by {department.name} for colleagues in Nordvik.",
        category=category,
        support_contact=f"{dept_code}@nordvik.example.org",
        is_required=name in REQUIRED,
        icon=images.icon(name, category),
        **_audience(audience, department),
    )
    if name in FEATURED:
        services.set_featured(by=administrator, app_id=app.pk, featured=True)
    answers = _privacy_answers(personal)
    # Every third live app has a newer version somewhere in the workflow.
    first_stop = _first_stop(index)
    clock.advance(1, 20)
    first = services.add_version(
        by=owner, app_id=app.pk, version="1.0.0", release_notes="First release.", **answers
    )
    platforms = PLATFORM_SETS[index % len(PLATFORM_SETS)]
    _add_artifacts(first, owner, platforms)
    if name in FEATURED:
        _add_screenshots(first, owner)
    _walk(first, owner, reviewer, first_stop, clock)
    if name == UPDATE_APP:
        _install_then_update(app, first, owner, reviewer, answers, platforms, clock)
    if name == LISTING_CHANGE_APP:
        clock.jump(clock.now - DAY * 2)
        services.update_listing(
            by=owner, app_id=app.pk, summary="Report water leaks with a photo and the map"
        )
    if index % 3 == 0 and first_stop == "published":
        _second_version(app, owner, reviewer, answers, platforms, STOPS[index % len(STOPS)], clock)


def _privacy_answers(personal: bool) -> dict:
    return {
        "data_classification": (
            DataClassification.CONFIDENTIAL if personal else DataClassification.INTERNAL
        ),
        "processes_personal_data": personal,
        "personal_data_description": "Name and employee number of the user." if personal else "",
        "dpia_done": personal,
    }


def _second_version(app, owner, reviewer, answers, platforms, stop: str, clock) -> None:
    """1.1.0: still in review (started days ago) or published (weeks ago)."""
    clock.jump(clock.now - DAY * clock.rng.randint(*((4, 12) if stop != "published" else (14, 35))))
    second = services.add_version(
        by=owner,
        app_id=app.pk,
        version="1.1.0",
        release_notes="Faster start-up and offline mode.",
        **answers,
    )
    _add_artifacts(second, owner, platforms)
    _walk(second, owner, reviewer, stop, clock)


def _install_then_update(app, first, owner, reviewer, answers, platforms, clock) -> None:
    """The employee installs 1.0.0; then 1.1.0 is published, so "My apps" offers it."""
    employee = User.objects.get(username="employee")
    clock.advance(20, 200)
    services.install_app(by=employee, app_id=app.pk, platform=platforms[0])
    clock.jump(clock.now - DAY * 6)
    second = services.add_version(
        by=owner, app_id=app.pk, version="1.1.0", release_notes="Payslips as PDF.", **answers
    )
    _add_artifacts(second, owner, platforms)
    _walk(second, owner, reviewer, "published", clock)


def _seed_usage() -> None:
    """Installations of the demo employee and a few ratings; both are upserts."""
    employee = User.objects.get(username="employee")
    for app in selectors.apps_visible_to(employee).filter(name__in=INSTALLED_BY_EMPLOYEE):
        current = selectors.current_artifacts(app)
        if current:
            services.install_app(by=employee, app_id=app.pk, platform=sorted(current)[0])
    people = {
        user.username: user for user in User.objects.filter(username__in={r[0] for r in RATINGS})
    }
    for username, name, stars, comment in RATINGS:
        person = people.get(username)
        app = person and selectors.apps_visible_to(person).filter(name=name).first()
        if app:
            services.rate_app(by=person, app_id=app.pk, stars=stars, comment=comment)
