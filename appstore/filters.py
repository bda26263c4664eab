"""The catalogue's filters, shared by the store pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from appstore import selectors
from appstore.choices import Category, Platform, VersionState
from appstore.models import App, AppArtifact
from portal.models import Department


class CatalogueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    platform = django_filters.ChoiceFilter(
        label=_("Platform"),
        choices=Platform.choices,
        empty_label=_("All platforms"),
        method="filter_platform",
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All categories")
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Owning department"),
        queryset=Department.objects.filter(apps__isnull=False).distinct().order_by("name"),
        empty_label=_("All departments"),
    )
    required = django_filters.BooleanFilter(
        label=_("Required for me only"), method="filter_required"
    )

    class Meta:
        model = App
        fields = ["q", "platform", "category", "department", "required"]

    def filter_search(self, queryset, name, value):
        return selectors.search(queryset, value)

    def filter_platform(self, queryset, name, value):
        return queryset.filter(
            Exists(
                AppArtifact.objects.filter(
                    version__app=OuterRef("pk"),
                    version__state=VersionState.PUBLISHED,
                    platform=value,
                )
            )
        )

    def filter_required(self, queryset, name, value):
        return queryset.filter(is_required=True) if value else queryset
