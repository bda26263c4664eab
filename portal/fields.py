"""Form fields for departments: a select of 400 departments is only usable as the tree the
organisation knows, each department under its parent, siblings by name, indented."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.forms.models import ModelChoiceIterator

from portal.models import Department

INDENT = "\u2003"  # an em space per level; screen readers skip it, eyes see the tree


def as_tree(departments: Iterable[Department]) -> list[Department]:
    """Departments in tree order (parents first, siblings by name). A department whose
    ancestors are not among them sorts by the names that are."""
    departments = list(departments)
    names = {d.pk: d.name.casefold() for d in departments}
    return sorted(departments, key=lambda d: [(names.get(pk, ""), pk) for pk in d.ancestor_ids()])


def indented(department: Department) -> str:
    return INDENT * department.depth + department.name


class _TreeIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for department in as_tree(self.queryset):
            yield self.choice(department)


class DepartmentChoiceField(forms.ModelChoiceField):
    iterator = _TreeIterator

    def label_from_instance(self, obj: Department) -> str:
        return indented(obj)


class DepartmentMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = _TreeIterator

    def label_from_instance(self, obj: Department) -> str:
        return indented(obj)
