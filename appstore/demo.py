"""Demo catalogue: about 40 apps from several departments, versions in every state.

Everything goes through the services, as the people would do it. Apps are keyed on their
name, so a second run adds nothing.
"""

from __future__ import annotations

from django.db import transaction

from appstore import services
from appstore.choices import Category, CheckResult, DataClassification
from appstore.models import App, ChecklistItem
from portal import services as portal_services
from portal.choices import Role, WorkPattern
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


def _walk(version, owner, reviewer, stop: str) -> None:
    if stop == "draft":
        return
    services.submit_version(by=owner, version_id=version.pk)
    if stop == "submitted":
        return
    services.claim_version(by=reviewer, version_id=version.pk)
    if stop == "in_review":
        return
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
    password_hash = User.objects.get(username="employee").password
    for index, (name, summary, category, dept_code, audience, personal) in enumerate(APPS):
        if App.objects.filter(name=name).exists():
            continue
        department = Department.objects.get(code=dept_code)
        owner = _owner(department, password_hash)
        app = services.create_app(
            by=owner,
            name=name,
            summary=summary,
            description=f"{summary}. Made by {department.name} for colleagues in Nordvik.",
            category=category,
            support_contact=f"{dept_code}@nordvik.example.org",
            is_required=name in REQUIRED,
            **_audience(audience, department),
        )
        if name in FEATURED:
            App.objects.filter(pk=app.pk).update(is_featured=True)
        answers = {
            "data_classification": (
                DataClassification.CONFIDENTIAL if personal else DataClassification.INTERNAL
            ),
            "processes_personal_data": personal,
            "personal_data_description": "Name and employee number of the user."
            if personal
            else "",
            "dpia_done": personal,
        }
        # Most apps are live; every eighth never got past review, and every third has
        # a newer version somewhere in the workflow.
        first_stop = NOT_PUBLISHED[(index // 8) % 5] if index % 8 == 7 else "published"
        first = services.add_version(
            by=owner, app_id=app.pk, version="1.0.0", release_notes="First release.", **answers
        )
        _walk(first, owner, reviewer, first_stop)
        if index % 3 == 0 and first_stop == "published":
            second = services.add_version(
                by=owner,
                app_id=app.pk,
                version="1.1.0",
                release_notes="Faster start-up and offline mode.",
                **answers,
            )
            _walk(second, owner, reviewer, STOPS[index % len(STOPS)])
