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


def ensure_checklist():
    """The checklist the data migration seeds (transactional tests flush it)."""
    for position, (text, required) in enumerate(
        [
            ("Uses the organisation's single sign-on", True),
            ("Support contact set", True),
            ("Nice to have: dark mode", False),
        ],
        start=1,
    ):
        ChecklistItem.objects.get_or_create(
            text=text, defaults={"is_required": required, "position": position}
        )
    return list(ChecklistItem.objects.filter(is_active=True))


def pass_checklist(*, reviewer, version):
    answers = {item.pk: (CheckResult.PASS, "") for item in ensure_checklist()}
    services.record_checklist(by=reviewer, version_id=version.pk, answers=answers)
