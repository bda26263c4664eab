"""Department selects show the organisation's tree: parents first, siblings by name,
each level indented, whatever order the departments were created in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.fields import INDENT, DepartmentChoiceField
from portal.models import Department
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    health = DepartmentFactory(name="Health and care", code="t-health")
    culture = DepartmentFactory(name="Culture", code="t-culture")
    nursing = DepartmentFactory(name="Home nursing", code="t-nursing", parent=health)
    acute = DepartmentFactory(name="Acute care", code="t-acute", parent=health)
    night = DepartmentFactory(name="Night team", code="t-night", parent=nursing)
    return culture, health, acute, nursing, night


def test_choices_are_the_tree_in_name_order_and_indented(tree):
    culture, health, acute, nursing, night = tree
    field = DepartmentChoiceField(
        queryset=Department.objects.filter(code__startswith="t-"), empty_label="All"
    )
    labels = [label for _value, label in field.choices]
    assert labels == [
        "All",
        "Culture",
        "Health and care",
        f"{INDENT}Acute care",
        f"{INDENT}Home nursing",
        f"{INDENT * 2}Night team",
    ]
    assert field.clean(str(night.pk)) == night


def test_the_fleet_filter_lists_departments_as_the_tree(client_for, logistics, tree):
    html = client_for(logistics).get(reverse("devices:fleet")).content.decode()
    select = html.split('name="department"')[1].split("</select>")[0]
    positions = [select.index(f">{INDENT * d.depth}{d.name}<") for d in tree]
    assert positions == sorted(positions)
