"""Demo catalogue: about 40 apps from several departments, versions in every state.

Everything goes through the services, as the people would do it: icons and screenshots
drawn with Pillow, one real (tiny) Android package, ratings and installations by the demo
staff, and a listing change waiting for review. Apps are keyed on their name, so a second
run adds nothing.
"""

from __future__ import annotations

import datetime
import random
import zipfile
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from appstore import selectors, services
from appstore.choices import Category, CheckResult, DataClassification, Platform
from appstore.models import App, ChecklistItem
from portal import services as portal_services
from portal.choices import Role, WorkPattern
from portal.demo.clock import DAY, DemoClock
from portal.models import Department, User

C = Category
# name, summary, category, owning department, audience ("all", "own", a department code,
# or a work pattern), personal data?
APPS = [
    (
        "Vanninspeksjon",
        "Work orders and photos from water main inspections",
        C.TECHNICAL,
        "water-sewerage",
        "own",
        False,
    ),
    (
        "Water meter reading",
        "Read and report water meters on site",
        C.TECHNICAL,
        "water-sewerage",
        "own",
        True,
    ),
    (
        "Sewer camera log",
        "Log pipe camera inspections with findings",
        C.TECHNICAL,
        "water-sewerage",
        "technical",
        False,
    ),
    ("Leak alert", "Report and follow up water leaks", C.TECHNICAL, "water-sewerage", "all", False),
    (
        "Hydrant check",
        "Yearly hydrant inspection checklist",
        C.TECHNICAL,
        "water-sewerage",
        "technical",
        False,
    ),
    (
        "Home nursing visit log",
        "Record visits, tasks and observations",
        C.HEALTH_CARE,
        "home-nursing",
        "home-nursing",
        True,
    ),
    (
        "Medication round",
        "Medication lists and sign-off on rounds",
        C.HEALTH_CARE,
        "home-nursing",
        "home-nursing",
        True,
    ),
    (
        "Wound care photos",
        "Secure wound photos for the patient record",
        C.HEALTH_CARE,
        "home-nursing",
        "health-care",
        True,
    ),
    (
        "Route planner",
        "Today's visits in the best order",
        C.HEALTH_CARE,
        "home-nursing",
        "frontline",
        True,
    ),
    (
        "Key box register",
        "Who holds which key box code",
        C.SECURITY,
        "home-nursing",
        "home-nursing",
        True,
    ),
    (
        "Fall alarm response",
        "Answer and close fall alarms",
        C.HEALTH_CARE,
        "elder-care",
        "health-care",
        True,
    ),
    (
        "Resident menu",
        "Menus and allergies at the nursing home",
        C.HEALTH_CARE,
        "elder-care",
        "elder-care",
        True,
    ),
    (
        "Activity calendar",
        "Activities for residents and relatives",
        C.COMMUNICATION,
        "elder-care",
        "elder-care",
        False,
    ),
    ("Shift swap", "Swap shifts with colleagues", C.ADMINISTRATION, "hr", "frontline", True),
    ("Payslip", "Your payslips and tax deductions", C.ADMINISTRATION, "hr", "all", True),
    ("Absence report", "Report sickness and a sick child", C.ADMINISTRATION, "hr", "all", True),
    ("Travel expenses", "Claim mileage and travel costs", C.ADMINISTRATION, "finance", "all", True),
    (
        "Purchase approval",
        "Approve invoices and purchase orders",
        C.ADMINISTRATION,
        "finance",
        "administration",
        False,
    ),
    (
        "School attendance",
        "Register pupils' attendance per lesson",
        C.EDUCATION,
        "education",
        "education",
        True,
    ),
    (
        "Parent messages",
        "Secure messages between school and parents",
        C.COMMUNICATION,
        "education",
        "education",
        True,
    ),
    (
        "Substitute teacher",
        "Find and book substitute teachers",
        C.EDUCATION,
        "education",
        "education",
        True,
    ),
    (
        "School trip planner",
        "Plan trips, consents and lists",
        C.EDUCATION,
        "education",
        "education",
        True,
    ),
    (
        "Cemetery site inspection",
        "Inspect graves, paths and memorials",
        C.TECHNICAL,
        "roads-parks",
        "roads-parks",
        False,
    ),
    (
        "Winter road service",
        "Ploughing and gritting routes",
        C.TECHNICAL,
        "roads-parks",
        "technical",
        False,
    ),
    (
        "Playground safety",
        "Monthly playground safety checks",
        C.TECHNICAL,
        "roads-parks",
        "technical",
        False,
    ),
    (
        "Street light faults",
        "Report and fix street light faults",
        C.TECHNICAL,
        "roads-parks",
        "all",
        False,
    ),
    (
        "Secure chat",
        "The municipality's approved chat for work",
        C.COMMUNICATION,
        "it",
        "all",
        True,
    ),
    ("Authenticator", "Sign-in codes for your work account", C.SECURITY, "it", "all", False),
    ("Intranet news", "News from the municipality", C.COMMUNICATION, "it", "all", False),
    (
        "IT service desk",
        "Report IT problems and follow your cases",
        C.PRODUCTIVITY,
        "it",
        "all",
        True,
    ),
    ("Meeting room booking", "Book rooms and equipment", C.PRODUCTIVITY, "it", "all", False),
    ("Document scanner", "Scan paper to the archive", C.PRODUCTIVITY, "it", "all", False),
    ("Phone directory", "Find colleagues and departments", C.COMMUNICATION, "it", "all", True),
    ("Incident report", "Report HSE incidents and near misses", C.SECURITY, "hr", "all", True),
    (
        "Lone worker alarm",
        "Safety alarm for those who work alone",
        C.SECURITY,
        "hr",
        "frontline",
        True,
    ),
    (
        "Translation help",
        "Book interpreters and quick translations",
        C.COMMUNICATION,
        "health-care",
        "all",
        False,
    ),
    (
        "Infection control",
        "Routines and checklists for infection control",
        C.HEALTH_CARE,
        "health-care",
        "health-care",
        False,
    ),
    ("Digital timesheet", "Register hours and overtime", C.ADMINISTRATION, "hr", "all", True),
    (
        "Vehicle logbook",
        "Log trips in the municipality's cars",
        C.ADMINISTRATION,
        "finance",
        "frontline",
        False,
    ),
    (
        "Energy monitor",
        "Energy use in municipal buildings",
        C.TECHNICAL,
        "technical",
        "technical",
        False,
    ),
]
REQUIRED = {"Secure chat", "Authenticator", "Home nursing visit log", "Absence report"}
FEATURED = {"Vanninspeksjon", "Home nursing visit log", "Secure chat", "Route planner"}
# The app whose Android build is an uploaded package instead of an MDM entry.
PACKAGE_APP = "Sewer camera log"
# The demo employee installs 1.0.0 of this app, then 1.1.0 is published: an update waits.
UPDATE_APP = "Payslip"
# A published app of the appowner's department whose new summary waits for review.
LISTING_CHANGE_APP = "Leak alert"
INSTALLED_BY_EMPLOYEE = [
    "Secure chat",
    "Authenticator",
    "Home nursing visit log",
    "Intranet news",
    "Route planner",
]
# username, app, stars, comment
RATINGS = [
    ("employee", "Secure chat", 5, "Works well on the go."),
    ("employee", "Home nursing visit log", 4, "Saves me time after every visit."),
    ("manager", "Secure chat", 4, ""),
    ("manager", "Authenticator", 3, "Asks for a code a bit too often."),
    ("reviewer", "Intranet news", 4, ""),
    ("appowner", "Secure chat", 5, ""),
]
CATEGORY_COLOURS = {
    C.HEALTH_CARE: (196, 52, 84),
    C.EDUCATION: (230, 140, 20),
    C.TECHNICAL: (20, 110, 160),
    C.COMMUNICATION: (60, 140, 70),
    C.ADMINISTRATION: (110, 80, 160),
    C.SECURITY: (50, 60, 70),
    C.PRODUCTIVITY: (0, 130, 130),
}
# Where the lifecycle of each n-th app stops, so the demo shows every state.
NOT_PUBLISHED = ["draft", "submitted", "in_review", "changes_requested", "rejected"]
STOPS = ["published"] * 2 + NOT_PUBLISHED


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


PLATFORM_SETS = [
    (Platform.ANDROID, Platform.IOS),
    (Platform.WEB,),
    (Platform.ANDROID, Platform.IOS, Platform.WINDOWS),
    (Platform.IOS,),
]


def _png(image: Image.Image, name: str) -> SimpleUploadedFile:
    out = BytesIO()
    image.save(out, format="PNG", optimize=False)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _icon(name: str, category: str) -> SimpleUploadedFile:
    """A 256 px rounded square in the category's colour with the app's initials."""
    image = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 255, 255), radius=56, fill=CATEGORY_COLOURS[category])
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    font = ImageFont.load_default(size=112)
    draw.text((128, 128), initials, font=font, fill="white", anchor="mm")
    return _png(image, "icon.png")


def _screenshot(name: str, category: str, rows: int) -> SimpleUploadedFile:
    """A phone-shaped mock screen: a title bar in the category's colour and list rows."""
    colour = CATEGORY_COLOURS[category]
    image = Image.new("RGB", (360, 740), (236, 238, 242))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 355, 735), radius=40, fill="white", outline=(30, 30, 30), width=8)
    draw.rectangle((12, 60, 347, 130), fill=colour)
    draw.text((30, 95), name, font=ImageFont.load_default(size=24), fill="white", anchor="lm")
    for row in range(rows):
        top = 150 + row * 84
        draw.rounded_rectangle((28, top, 331, top + 68), radius=12, fill=(244, 245, 248))
        draw.ellipse((40, top + 14, 80, top + 54), fill=colour)
        draw.rectangle((96, top + 18, 300 - row * 12, top + 30), fill=(150, 155, 165))
        draw.rectangle((96, top + 40, 240, top + 50), fill=(200, 203, 210))
    return _png(image, "screenshot.png")


def _apk() -> SimpleUploadedFile:
    """The smallest real Android package: a ZIP holding an AndroidManifest.xml."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("AndroidManifest.xml", "<manifest package='no.nordvik.demo'/>")
        archive.writestr("classes.dex", b"dex\n035\0")
    return SimpleUploadedFile(
        "sewer-camera-log.apk", out.getvalue(), content_type="application/octet-stream"
    )


def _add_screenshots(version, owner) -> None:
    app = version.app
    for rows, what in [(6, "today's list of work"), (3, "the details of one task")]:
        services.add_screenshot(
            by=owner,
            version_id=version.pk,
            image=_screenshot(app.name, app.category, rows),
            alt_text=f"{app.name}: {what}",
        )


def _add_artifacts(version, owner, platforms) -> None:
    slug = version.app.slug
    for platform in platforms:
        if platform == Platform.ANDROID and version.app.name == PACKAGE_APP:
            services.add_artifact(
                by=owner, version_id=version.pk, platform=platform, package=_apk()
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
        icon=_icon(name, category),
        **_audience(audience, department),
    )
    if name in FEATURED:
        services.set_featured(by=administrator, app_id=app.pk, featured=True)
    answers = {
        "data_classification": (
            DataClassification.CONFIDENTIAL if personal else DataClassification.INTERNAL
        ),
        "processes_personal_data": personal,
        "personal_data_description": "Name and employee number of the user." if personal else "",
        "dpia_done": personal,
    }
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
        stop = STOPS[index % len(STOPS)]
        # a newer version still in review started days ago; a published one, weeks ago
        clock.jump(
            clock.now - DAY * clock.rng.randint(*((4, 12) if stop != "published" else (14, 35)))
        )
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
