"""A line manager finds their department's devices in the navigation; the fault form's
photo hint is in the reader's language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from devices.forms import FaultForm
from portal.navigation import navigation_for

pytestmark = pytest.mark.django_db

TEAM = reverse("devices:team")


def _urls(user, path="/"):
    return [item["url"] for item in navigation_for(user, path)]


def test_a_line_manager_with_a_department_has_the_department_entry(manager):
    assert TEAM in _urls(manager)
    current = [i for i in navigation_for(manager, TEAM) if i["current"]]
    assert [i["url"] for i in current] == [TEAM]


@pytest.mark.parametrize("persona", ["employee", "logistics", "reviewer", "appowner"])
def test_people_who_manage_no_department_do_not_see_it(personas, persona):
    assert TEAM not in _urls(personas[persona])


def test_a_line_manager_without_a_department_does_not_see_it(manager):
    manager.department = None
    manager.save(update_fields=["department"])
    assert TEAM not in _urls(manager)


def test_the_entry_is_on_the_managers_pages(client_for, manager):
    html = client_for(manager).get(reverse("devices:mine")).content.decode()
    assert f'href="{TEAM}"' in html and "My department&#x27;s devices" in html


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_the_photo_hint_is_in_the_readers_language(language):
    english = "Up to 5 photos of the damage: PNG, JPEG or WebP."
    with translation.override("en"):
        assert str(FaultForm().fields["photos"].help_text) == english
    with translation.override(language):
        hint = str(FaultForm().fields["photos"].help_text)
    assert hint != english and "5" in hint
