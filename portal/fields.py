"""Form fields for departments: a select of 400 departments is only usable as the tree the
organisation knows, each department under its parent, siblings by name, indented.

Choosing several departments is a tree of checkboxes (nested lists), never a multiple
select: a multiple select needs Ctrl-click, which touch screens and many keyboard users
do not have. `static/portal/js/portal.js` adds a filter box to it; without
JavaScript it is a plain, scrollable list of checkboxes.

A single select of the whole tree renders its 400 options from the shared cache, as one
string: the ordered, escaped labels are computed once per version of the tree, and the
cache entry is dropped whenever a department is saved or deleted."""

from __future__ import annotations

import html
from collections.abc import Iterable
from uuid import uuid4

from django import forms
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeData, mark_safe

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


TREE_CACHE_KEY = "portal:department-tree-options:v1"
TREE_VERSION_KEY = "portal:department-tree-version:v1"
TREE_CACHE_SECONDS = 24 * 60 * 60  # a bound in case a bulk update bypassed the signals
_TREE_HERE: dict[str, list[tuple[str, str]]] = {}  # this process's copy, by version


def department_tree_version() -> str:
    """A short token that changes whenever a department is saved or deleted: what a
    kept rendering of the tree depends on (one small read from the shared cache)."""
    version = cache.get(TREE_VERSION_KEY)
    if version is None:
        cache.add(TREE_VERSION_KEY, uuid4().hex, TREE_CACHE_SECONDS)
        version = cache.get(TREE_VERSION_KEY) or "unversioned"
    return version


def department_tree_options() -> list[tuple[str, str]]:
    """Every department as `(value, escaped indented label)`, in tree order: computed
    once per version of the tree into the shared cache, and kept in this process for
    that version (so a page reads only the version token)."""
    version = department_tree_version()
    options = _TREE_HERE.get(version)
    if options is not None:
        return options
    options = cache.get(TREE_CACHE_KEY)
    if options is None:
        departments = Department.objects.only("pk", "name", "path", "depth")
        options = [(str(d.pk), escape(indented(d))) for d in as_tree(departments)]
        cache.set(TREE_CACHE_KEY, options, TREE_CACHE_SECONDS)
    _TREE_HERE.clear()
    _TREE_HERE[version] = options
    return options


def forget_department_tree() -> None:
    """Drop the cached options and replace the version now and again when the
    transaction commits (a request that read the old tree meanwhile may have put it
    back)."""

    def forget() -> None:
        cache.delete(TREE_CACHE_KEY)
        cache.set(TREE_VERSION_KEY, uuid4().hex, TREE_CACHE_SECONDS)

    forget()
    transaction.on_commit(forget)


@receiver(post_save, sender=Department, dispatch_uid="portal.fields.department_saved")
@receiver(post_delete, sender=Department, dispatch_uid="portal.fields.department_deleted")
def _department_changed(sender, **kwargs) -> None:
    forget_department_tree()


def quick_escape(value) -> str:
    """`conditional_escape` without its lazy-string wrapper (hundreds of calls a page):
    the same text, escaped unless already safe."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


class QuickSelect(forms.Select):
    """A select whose options are one joined string, not a template per option (the same
    HTML as Django's): for selects of hundreds of options. Groups are not supported."""

    def _options(self) -> tuple[str | None, list[tuple[str, str]]]:
        """(the escaped empty label or None, [(value, escaped label)])."""
        return None, [(str(value), quick_escape(label)) for value, label in self.choices]

    def render(self, name, value, attrs=None, renderer=None):
        context = forms.Widget.get_context(self, name, value, attrs)
        selected = set(context["widget"]["value"])
        empty, options = self._options()
        parts = [format_html('<select name="{}"{}>', name, flatatt(context["widget"]["attrs"]))]
        if empty is not None:
            flag = " selected" if "" in selected else ""
            parts.append(f'<option value=""{flag}>{empty}</option>')
        for option_value, label in options:
            flag = " selected" if option_value in selected else ""
            parts.append(f'<option value="{quick_escape(option_value)}"{flag}>{label}</option>')
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # noqa: S308 - every part is escaped above


class DepartmentSelect(QuickSelect):
    """A select of departments. The whole tree comes from `department_tree_options`; a
    narrower queryset (or any other choices) is read as usual and rendered the same way."""

    def _options(self) -> tuple[str | None, list[tuple[str, str]]]:
        field = getattr(self.choices, "field", None)
        queryset = getattr(self.choices, "queryset", None)
        whole_tree = (
            isinstance(self.choices, _TreeIterator)
            and queryset is not None
            and queryset.model is Department
            and not queryset.query.where
            and not queryset.query.is_sliced
        )
        if whole_tree:
            empty = field.empty_label
            return (None if empty is None else conditional_escape(empty)), (
                department_tree_options()
            )
        return super()._options()

    def use_required_attribute(self, initial) -> bool:
        field = getattr(self.choices, "field", None)
        if isinstance(self.choices, _TreeIterator) and field is not None:
            return forms.Widget.use_required_attribute(self, initial) and (
                field.empty_label is not None
            )
        return super().use_required_attribute(initial)


class DepartmentChoiceField(forms.ModelChoiceField):
    iterator = _TreeIterator
    widget = DepartmentSelect

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
