"""Names, summaries and identifiers are one line: a line break or another control character
is refused by the services (and so by the pages and the admin), and old rows are repaired."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from appstore import services
from appstore.choices import Platform
from appstore.models import App, AppScreenshot, ChecklistItem, ListingChange
from portal.choices import Role
from portal.errors import RuleViolation
from tests.appstore.factories import image_upload, make_app, make_version, publish
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ONE_LINE = "Write this on one line, without line breaks or control characters."
BREAKS = ["\n", "\r\n", "\r", "\t", "\x00", "\x1b", "\x85", "\u2028"]


@pytest.mark.parametrize("character", BREAKS)
@pytest.mark.parametrize("field", ["name", "summary"])
def test_an_app_name_or_summary_with_a_line_break_is_refused(appowner, field, character):
    with pytest.raises(RuleViolation) as refused:
        make_app(owner=appowner, **{field: f"Water{character}meter reading"})
    assert (refused.value.field, str(refused.value)) == (field, ONE_LINE)
    assert not App.objects.exists()


def test_a_listing_edit_with_a_line_break_is_refused_before_and_after_publication(
    appowner, reviewer
):
    app = make_app(owner=appowner, name="Water meter reading")
    with pytest.raises(RuleViolation, match="one line"):
        services.update_listing(by=appowner, app_id=app.pk, name="Water\nmeter")
    publish(owner=appowner, reviewer=reviewer, app=app)
    with pytest.raises(RuleViolation, match="one line"):
        services.update_listing(by=appowner, app_id=app.pk, summary="Meters\r\nand more")
    assert App.objects.get(pk=app.pk).name == "Water meter reading"
    assert not ListingChange.objects.exists()


def test_a_description_may_have_several_lines(appowner):
    app = make_app(owner=appowner, description="First line.\nSecond line.")
    assert app.description == "First line.\nSecond line."


def test_a_store_identifier_with_a_line_break_is_refused(appowner):
    version = make_version(owner=appowner, app=make_app(owner=appowner), platforms=())
    with pytest.raises(RuleViolation) as refused:
        services.add_artifact(
            by=appowner,
            version_id=version.pk,
            platform=Platform.IOS,
            mdm_identifier="org.example.app\nX-Injected: yes",
        )
    assert refused.value.field == "mdm_identifier"
    assert not version.artifacts.exists()


def test_a_screenshot_description_with_a_line_break_is_refused_and_nothing_stored(appowner):
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    with pytest.raises(RuleViolation) as refused:
        services.add_screenshot(
            by=appowner, version_id=version.pk, image=image_upload(), alt_text="The\nlist"
        )
    assert refused.value.field == "alt_text"
    assert not AppScreenshot.objects.exists()


def test_the_owners_page_shows_the_refusal_next_to_the_name(client_for, appowner):
    listing = {
        "name": "Hydrant\r\ncheck",
        "summary": "Yearly hydrant inspection",
        "category": "technical",
        "support_contact": "water@example.org",
        "audience_everyone": "on",
    }
    response = client_for(appowner).post("/apps/manage/new/", listing)
    assert response.status_code == 400
    assert response.context["form"].errors == {"name": [ONE_LINE]}
    assert not App.objects.exists()


def test_the_admin_refuses_a_checklist_item_with_a_line_break(client_for, settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False
    administrator = UserFactory(roles=[Role.ADMINISTRATOR], is_superuser=True)
    before = ChecklistItem.objects.count()
    response = client_for(administrator).post(
        "/admin/appstore/checklistitem/add/",
        {"text": "Uses SSO\nand MFA", "is_required": "on", "is_active": "on", "position": "1"},
    )
    assert response.status_code == 200
    assert ONE_LINE in response.content.decode()
    assert ChecklistItem.objects.count() == before


def test_the_migration_repairs_names_stored_before_the_rule(appowner, reviewer):
    app = make_app(owner=appowner, name="Water meter reading")
    publish(owner=appowner, reviewer=reviewer, app=app)
    change = services.update_listing(
        by=appowner, app_id=app.pk, summary="Meters", description="One.\nTwo."
    )
    App.objects.filter(pk=app.pk).update(name="Water\r\nmeter\treading ", summary="A\u2028B")
    ListingChange.objects.filter(pk=change.pk).update(
        proposed={**change.proposed, "name": "Leak\nreporter"}
    )
    migration = importlib.import_module("appstore.migrations.0007_one_line_fields")

    migration.repair(django_apps, None)

    app.refresh_from_db()
    change.refresh_from_db()
    assert (app.name, app.summary) == ("Water meter reading", "A B")
    assert change.proposed["name"] == "Leak reporter"
    assert change.proposed["description"] == "One.\nTwo."
    services.submit_version(
        by=appowner,
        version_id=make_version(owner=appowner, app=app, version="1.1.0").pk,
    )
