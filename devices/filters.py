"""The fleet's filters, shared by the devices pages, the CSV export and the API.

The search term is capped (characters and words) before any query runs: a longer one is a
validation error (the page's form error, the API's 400), and an invalid filter lists
nothing rather than the whole unfiltered fleet.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devices import selectors
from devices.choices import DeviceState, RepairState, ReturnState
from devices.models import Device, DeviceModel
from portal.fields import DepartmentChoiceField
from portal.models import Department

WARRANTY_WINDOWS = [
    ("expired", _("Warranty has ended")),
    ("30", _("Warranty ends within 30 days")),
    ("90", _("Warranty ends within 90 days")),
    ("none", _("No warranty date")),
]
AGES = [
    ("0-1", _("Under 1 year old")),
    ("1-3", _("1 to 3 years old")),
    ("3-5", _("3 to 5 years old")),
    ("5+", _("Over 5 years old")),
]


MAX_SEARCH_CHARACTERS = 100
MAX_SEARCH_WORDS = 5


def validate_search(value: str) -> None:
    """A search term of at most 100 characters and 5 words (a serial number, IMEI, asset
    tag or a name needs no more); checked before the term is split or searched."""
    if len(value) > MAX_SEARCH_CHARACTERS:
        raise ValidationError(
            _("The search is too long: use at most %(count)s characters."),
            code="max_length",
            params={"count": MAX_SEARCH_CHARACTERS},
        )
    if len(value.split(None, MAX_SEARCH_WORDS)) > MAX_SEARCH_WORDS:
        raise ValidationError(
            _("The search has too many words: use at most %(count)s."),
            code="max_words",
            params={"count": MAX_SEARCH_WORDS},
        )


def _years_ago(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


class DepartmentFilter(django_filters.ModelChoiceFilter):
    """A department (shown as the tree) with its sub-departments."""

    field_class = DepartmentChoiceField


class DeviceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        validators=[validate_search],
        widget=forms.TextInput(attrs={"maxlength": MAX_SEARCH_CHARACTERS}),
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=DeviceState.choices, empty_label=_("All states")
    )
    model = django_filters.ModelChoiceFilter(
        label=_("Model"),
        queryset=DeviceModel.objects.order_by("manufacturer", "name"),
        empty_label=_("All models"),
    )
    department = DepartmentFilter(
        label=_("Department"),
        queryset=Department.objects.all(),
        empty_label=_("All departments"),
        method="filter_department",
    )
    warranty = django_filters.ChoiceFilter(
        label=_("Warranty"),
        choices=WARRANTY_WINDOWS,
        empty_label=_("Any warranty"),
        method="filter_warranty",
    )
    age = django_filters.ChoiceFilter(
        label=_("Age"), choices=AGES, empty_label=_("Any age"), method="filter_age"
    )
    inactive_holder = django_filters.BooleanFilter(
        label=_("Held by a deactivated account"),
        method="filter_inactive_holder",
        widget=forms.Select(
            choices=[("", _("Any holder")), ("true", _("Yes")), ("false", _("No"))]
        ),
    )

    class Meta:
        model = Device
        fields = ["q", "state", "model", "department", "warranty", "age", "inactive_holder"]

    def filter_queryset(self, queryset):
        """Nothing when a filter is invalid (its form error says why)."""
        if self.form.errors:
            return queryset.none()
        return super().filter_queryset(queryset)

    def filter_search(self, queryset, name, value):
        return selectors.search_devices(queryset, value)

    def filter_department(self, queryset, name, value):
        """The department and its sub-departments."""
        return queryset.filter(department__path__startswith=value.path)

    def filter_warranty(self, queryset, name, value):
        today = timezone.localdate()
        if value == "expired":
            return queryset.filter(warranty_end__lt=today)
        if value == "none":
            return queryset.filter(warranty_end__isnull=True)
        days = int(value)
        return queryset.filter(
            warranty_end__gte=today, warranty_end__lte=today + datetime.timedelta(days=days)
        )

    def filter_age(self, queryset, name, value):
        today = timezone.localdate()
        low, _sep, high = value.partition("-")
        newest = _years_ago(today, int(low.rstrip("+")))
        queryset = queryset.filter(purchase_date__lte=newest)
        if high:
            queryset = queryset.filter(purchase_date__gt=_years_ago(today, int(high)))
        return queryset

    def filter_inactive_holder(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(assignee__isnull=False, assignee__is_active=not value)


CASE_KINDS = [("repair", _("Repairs")), ("return", _("Returns"))]


def _case_states() -> list[tuple[str, str]]:
    """Every repair and return state once (in transit, closed and cancelled are both)."""
    states = dict(RepairState.choices)
    for value, label in ReturnState.choices:
        states.setdefault(value, label)
    return list(states.items())


class DeskQueueForm(forms.Form):
    """The desk queue's filters, read from the query string (a GET form: no JavaScript
    needed). Without a state the queue shows the open cases."""

    q = forms.CharField(
        label=_("Serial number or asset tag"),
        required=False,
        validators=[validate_search],
        widget=forms.TextInput(
            attrs={"maxlength": MAX_SEARCH_CHARACTERS, "type": "search", "autocomplete": "off"}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Repairs and returns")), *CASE_KINDS],
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All open cases")), *_case_states()]
    )
    department = DepartmentChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("All departments"),
    )
    partner = forms.CharField(
        label=_("Repair partner"),
        required=False,
        max_length=120,
        help_text=_("The start of its name; shows repairs only."),
    )

    def filters(self) -> dict:
        """The valid filters as keyword arguments of `selectors.desk_queue`."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
