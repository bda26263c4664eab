"""Form fields for departments: a select of 400 departments is only usable as the tree the
organisation knows, each department under its parent, siblings by name, indented.

Choosing several departments is a tree of checkboxes (nested lists), never a multiple
select: a multiple select needs Ctrl-click, which touch screens and many keyboard users
do not have. `static/portal/js/portal.js` adds a filter box to it; without
JavaScript it is a plain, scrollable list of checkboxes."""

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


class DepartmentCheckboxTree(forms.CheckboxSelectMultiple):
    """Checkboxes nested as the department tree: `widget.tree` is a list of
    `{"option": ..., "children": [...]}` in tree order."""

    template_name = "django/forms/widgets/department_tree.html"

    class Media:
        js = ["portal/js/portal.js"]  # loaded by base.html on every page

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        roots: list[dict] = []
        stack: list[tuple[int, dict]] = []
        for _group, options, _index in context["widget"]["optgroups"]:
            for option in options:
                instance = getattr(option["value"], "instance", None)
                depth = getattr(instance, "depth", 0)
                node = {"option": option, "children": []}
                while stack and stack[-1][0] >= depth:
                    stack.pop()
                (stack[-1][1]["children"] if stack else roots).append(node)
                stack.append((depth, node))
        context["widget"]["tree"] = roots
        return context


class DepartmentMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = _TreeIterator
    widget = DepartmentCheckboxTree

    def label_from_instance(self, obj: Department) -> str:
        # The tree widget shows the levels by nesting; a select needs the indent.
        if isinstance(self.widget, DepartmentCheckboxTree):
            return obj.name
        return indented(obj)
