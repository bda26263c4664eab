"""Apps and versions made through the services, as an owner would."""

from __future__ import annotations

from itertools import count

from appstore import services
from appstore.choices import Category, CheckResult, DataClassification
from appstore.models import ChecklistItem

_numbers = count(1)


def make_app(*, owner, **fields):
    defaults = {
        "name": f"Inspection app {next(_numbers)}",
        "summary": "Work orders on the go",
        "category": Category.TECHNICAL,
        "support_contact": "support@example.org",
        "audience_everyone": True,
    }
    return services.create_app(by=owner, **{**defaults, **fields})


def make_version(*, owner, app, version="1.0.0", **answers):
    defaults = {
        "release_notes": "First release.",
        "data_classification": DataClassification.INTERNAL,
    }
    return services.add_version(by=owner, app_id=app.pk, version=version, **{**defaults, **answers})


def publish(*, owner, reviewer, app, version="1.0.0"):
    """A version taken through submission, review and approval (published on approval)."""
    draft = make_version(owner=owner, app=app, version=version)
    services.submit_version(by=owner, version_id=draft.pk)
    services.claim_version(by=reviewer, version_id=draft.pk)
    pass_checklist(reviewer=reviewer, version=draft)
    services.approve_version(by=reviewer, version_id=draft.pk)
    draft.refresh_from_db()
    return draft


TEST_CHECKLIST = [
    ("Uses the organisation's single sign-on", True),
    ("Support contact set", True),
    ("Nice to have: dark mode", False),
]


def ensure_checklist():
    """A known checklist: two required items and one optional one, and no other active."""
    texts = [text for text, _required in TEST_CHECKLIST]
    ChecklistItem.objects.exclude(text__in=texts).update(is_active=False)
    for position, (text, required) in enumerate(TEST_CHECKLIST, start=1):
        ChecklistItem.objects.update_or_create(
            text=text, defaults={"is_required": required, "position": position, "is_active": True}
        )
    return list(ChecklistItem.objects.filter(is_active=True).order_by("position"))


def pass_checklist(*, reviewer, version):
    answers = {item.pk: (CheckResult.PASS, "") for item in ensure_checklist()}
    services.record_checklist(by=reviewer, version_id=version.pk, answers=answers)
