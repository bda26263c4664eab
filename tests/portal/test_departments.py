"""The department tree: a materialised path kept in step with `parent`."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from portal import selectors
from portal.models import Department
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fresh(*departments: Department) -> list[Department]:
    return [Department.objects.get(pk=d.pk) for d in departments]


def test_a_root_department_has_its_own_id_as_path():
    root = DepartmentFactory(code="root")
    assert root.path == f"/{root.pk}/"
    assert root.depth == 0


def test_department_paths_follow_the_tree():
    root = DepartmentFactory(code="root")
    child = DepartmentFactory(code="child", parent=root)
    grandchild = DepartmentFactory(code="grandchild", parent=child)
    assert grandchild.path == f"/{root.pk}/{child.pk}/{grandchild.pk}/"
    assert grandchild.depth == 2
    assert grandchild.ancestor_ids() == [root.pk, child.pk, grandchild.pk]
    assert set(root.subtree()) == {root, child, grandchild}
    assert set(child.subtree()) == {child, grandchild}


def test_moving_a_department_moves_its_whole_subtree():
    a = DepartmentFactory(code="a")
    b = DepartmentFactory(code="b")
    b_child = DepartmentFactory(code="b-child", parent=b)
    child = DepartmentFactory(code="child", parent=a)
    leaf = DepartmentFactory(code="leaf", parent=child)
    leaf_sibling = DepartmentFactory(code="leaf-sibling", parent=child)

    child.parent = b_child
    child.save()

    child, leaf, leaf_sibling = _fresh(child, leaf, leaf_sibling)
    assert child.path == f"/{b.pk}/{b_child.pk}/{child.pk}/"
    assert leaf.path == f"/{b.pk}/{b_child.pk}/{child.pk}/{leaf.pk}/"
    assert leaf_sibling.path == f"/{b.pk}/{b_child.pk}/{child.pk}/{leaf_sibling.pk}/"
    assert (child.depth, leaf.depth, leaf_sibling.depth) == (2, 3, 3)
    assert set(a.subtree()) == {a}
    assert set(_fresh(b)[0].subtree()) == {b, b_child, child, leaf, leaf_sibling}


def test_moving_a_department_to_the_top_makes_its_subtree_shallower():
    top = DepartmentFactory(code="top")
    middle = DepartmentFactory(code="middle", parent=top)
    leaf = DepartmentFactory(code="leaf", parent=middle)
    middle.parent = None
    middle.save()
    middle, leaf = _fresh(middle, leaf)
    assert (middle.path, middle.depth) == (f"/{middle.pk}/", 0)
    assert (leaf.path, leaf.depth) == (f"/{middle.pk}/{leaf.pk}/", 1)


def test_a_move_leaves_departments_with_a_similar_id_alone():
    """/7001/ is a prefix of /70012/ as text, but not as a path."""
    base = 10**12
    moved = DepartmentFactory(id=base + 1, code="moved")
    lookalike = DepartmentFactory(id=(base + 1) * 10 + 2, code="lookalike")
    below_lookalike = DepartmentFactory(code="below-lookalike", parent=lookalike)
    target = DepartmentFactory(code="target")
    moved.parent = target
    moved.save()
    lookalike, below_lookalike = _fresh(lookalike, below_lookalike)
    assert lookalike.path == f"/{lookalike.pk}/"
    assert below_lookalike.path == f"/{lookalike.pk}/{below_lookalike.pk}/"
    assert set(_fresh(moved)[0].subtree()) == {moved}


def test_renaming_a_department_keeps_its_subtree():
    top = DepartmentFactory(code="top")
    leaf = DepartmentFactory(code="leaf", parent=top)
    top.name = "Renamed"
    top.save()
    assert _fresh(leaf)[0].path == f"/{top.pk}/{leaf.pk}/"


def test_a_department_cannot_sit_under_its_own_descendant():
    top = DepartmentFactory(code="top")
    middle = DepartmentFactory(code="middle", parent=top)
    below = DepartmentFactory(code="below", parent=middle)
    top, below = _fresh(top, below)
    top.parent = below
    with pytest.raises(ValidationError) as raised:
        top.full_clean()
    assert "parent" in raised.value.message_dict


def test_a_department_cannot_be_its_own_parent():
    department, itself = _fresh(*[DepartmentFactory(code="alone")] * 2)
    department.parent = itself
    with pytest.raises(ValidationError):
        department.full_clean()


def test_the_database_refuses_a_department_as_its_own_parent():
    department = DepartmentFactory(code="alone")
    with pytest.raises(IntegrityError):
        Department.objects.filter(pk=department.pk).update(parent=department)


def test_a_valid_parent_passes_clean_and_moves_the_department_under_it():
    top = DepartmentFactory(code="top")
    other = DepartmentFactory(code="other")
    other.parent = top
    other.full_clean()  # raises ValidationError if the move were refused
    other.save()
    (other,) = _fresh(other)
    assert other.parent == top
    assert (other.path, other.depth) == (f"/{top.pk}/{other.pk}/", 1)


def test_people_of_a_department_include_sub_departments():
    top = DepartmentFactory(code="top")
    sub = DepartmentFactory(code="sub", parent=top)
    subsub = DepartmentFactory(code="subsub", parent=sub)
    other = DepartmentFactory(code="other")
    in_top, in_sub, in_subsub = (
        UserFactory(department=top),
        UserFactory(department=sub),
        UserFactory(department=subsub),
    )
    UserFactory(department=other)
    UserFactory(department=sub, is_active=False)
    assert set(selectors.people_of_department(top)) == {in_top, in_sub, in_subsub}
    assert set(selectors.people_of_department(sub)) == {in_sub, in_subsub}
    assert set(selectors.people_of_department(top, include_sub_departments=False)) == {in_top}


def test_people_of_a_moved_department_follow_it():
    old_home = DepartmentFactory(code="old-home")
    new_home = DepartmentFactory(code="new-home")
    team = DepartmentFactory(code="team", parent=old_home)
    member = UserFactory(department=team)
    team.parent = new_home
    team.save()
    assert list(selectors.people_of_department(_fresh(new_home)[0])) == [member]
    assert list(selectors.people_of_department(old_home)) == []


def test_people_of_a_department_is_one_query(django_assert_num_queries):
    top = DepartmentFactory(code="top")
    UserFactory.create_batch(3, department=DepartmentFactory(code="sub", parent=top))
    with django_assert_num_queries(1):
        assert len(list(selectors.people_of_department(top))) == 3
