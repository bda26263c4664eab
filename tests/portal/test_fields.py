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


def test_choosing_departments_is_a_tree_of_checkboxes_not_a_multiple_select(
    client_for, appowner, tree
):
    culture, health, acute, nursing, night = tree
    html = client_for(appowner).get(reverse("appstore:manage_app_create")).content.decode()
    assert 'name="audience_departments"' in html
    assert (
        "<select multiple" not in html
        and "multiple" not in html.split("audience_departments")[1][:200]
    )
    widget = html[html.index("data-department-tree") :]
    widget = widget[: widget.index("</fieldset>")]
    assert widget.count('type="checkbox" name="audience_departments"') >= 5
    # Night team is inside Home nursing's list, which is inside Health and care's.
    health_at = widget.index(f" {health.name}</label>")
    nursing_at = widget.index(f" {nursing.name}</label>")
    night_at = widget.index(f" {night.name}</label>")
    assert health_at < nursing_at < night_at
    between = widget[health_at:night_at]
    assert between.count('<ul class="department-tree__level">') == 2


def test_the_department_checkboxes_post_like_the_select_did(tree):
    from portal.fields import DepartmentCheckboxTree, DepartmentMultipleChoiceField

    culture, health, acute, nursing, night = tree
    field = DepartmentMultipleChoiceField(queryset=Department.objects.all(), required=False)
    assert isinstance(field.widget, DepartmentCheckboxTree)
    assert set(field.clean([str(night.pk), str(culture.pk)])) == {night, culture}


def test_an_error_summary_link_points_at_the_first_checkbox_of_a_group():
    from django import forms

    from portal.templatetags.portal_tags import error_target

    class Form(forms.Form):
        name = forms.CharField()
        roles = forms.MultipleChoiceField(
            choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
        )

    form = Form(data={})
    assert error_target(form["name"]) == "id_name"
    assert error_target(form["roles"]) == "id_roles_0"
    assert 'href="#id_roles_0"' in str(form)
    assert 'id="id_roles_0"' in str(form)


@pytest.fixture
def fresh_tree():
    from portal.fields import forget_department_tree

    forget_department_tree()


def _options(html: str) -> list[tuple[str, str, bool]]:
    import re

    return [
        (value, label, "selected" in flags)
        for value, flags, label in re.findall(
            r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', html
        )
    ]


def test_the_cached_select_renders_the_same_options_as_djangos_select(fresh_tree, tree):
    from django import forms

    from portal.fields import DepartmentSelect

    culture, health, acute, nursing, night = tree
    DepartmentFactory(name="Tom & Jerry <club>", code="t-escape", parent=culture)
    field = DepartmentChoiceField(queryset=Department.objects.all(), empty_label="All")
    assert isinstance(field.widget, DepartmentSelect)
    stock = forms.Select(choices=field.choices)
    for value in (None, nursing.pk):
        ours = field.widget.render("department", value, attrs={"id": "id_department"})
        theirs = stock.render("department", value, attrs={"id": "id_department"})
        assert _options(ours) == _options(theirs)
        assert ours.startswith('<select name="department" id="id_department">')
    assert "Tom &amp; Jerry &lt;club&gt;" in ours and "<club>" not in ours
    assert ("", "All", False) in _options(ours) and (
        str(nursing.pk),
        f"{INDENT}Home nursing",
        True,
    ) in _options(ours)


def test_a_narrower_queryset_lists_only_its_departments(fresh_tree, tree):
    culture, health, acute, nursing, night = tree
    field = DepartmentChoiceField(
        queryset=Department.objects.filter(parent=health), empty_label="All"
    )
    values = [value for value, _label, _selected in _options(field.widget.render("d", None))]
    assert values == ["", str(acute.pk), str(nursing.pk)]


def test_a_new_or_renamed_department_is_listed_at_once(fresh_tree, tree, django_assert_num_queries):
    culture, health, acute, nursing, night = tree
    field = DepartmentChoiceField(queryset=Department.objects.all(), empty_label="All")
    field.widget.render("department", None)  # cached
    with django_assert_num_queries(0):
        field.widget.render("department", None)
    DepartmentFactory(name="Dental care", code="t-dental", parent=health)
    nursing.name = "Home nursing and rehabilitation"
    nursing.save()
    labels = [label for _value, label, _selected in _options(field.widget.render("d", None))]
    assert f"{INDENT}Dental care" in labels
    assert f"{INDENT}Home nursing and rehabilitation" in labels
    night.delete()
    labels = [label for _value, label, _selected in _options(field.widget.render("d", None))]
    assert f"{INDENT * 2}Night team" not in labels


def test_the_fleet_page_reads_no_department_once_the_tree_is_cached(
    fresh_tree, client_for, logistics, tree
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(logistics)
    client.get(reverse("devices:fleet"))
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("devices:fleet")).content.decode()
    assert not [q for q in captured if q["sql"].startswith('SELECT "portal_department"')]
    assert f">{INDENT}Home nursing<" in html and 'for="id_department"' in html
