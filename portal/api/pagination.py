"""`?page=N&page_size=M`, answered with `count`, `next`, `previous` and `results`.

A page is a whole number from 1 (or `last`); anything else is a 400 with `fields.page`.
A page past the last one is empty (its `previous` is the last page), not a 404. A larger
page size than 200 is taken as 200; an unreadable one as the default."""

from __future__ import annotations

from django.core.paginator import Page
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class _PastTheEnd(Page):
    """An empty page after the last one."""

    def has_next(self) -> bool:
        return False

    def has_previous(self) -> bool:
        return True

    def previous_page_number(self) -> int:
        return self.paginator.num_pages


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = self.django_paginator_class(queryset, page_size)
        number = self._page_number(request, paginator)
        if number > paginator.num_pages:
            self.page = _PastTheEnd([], number, paginator)
        else:
            self.page = paginator.page(number)
        self.request = request
        return list(self.page)

    def _page_number(self, request, paginator) -> int:
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:
            return paginator.num_pages
        if raw.isascii() and raw.isdigit() and int(raw) >= 1:
            return int(raw)
        raise ValidationError({self.page_query_param: [_("Ask for a page number from 1.")]})

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = (
                    "A page number from 1. A page past the last one is empty; a page that "
                    "is not a whole number from 1 is a 400."
                )
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                most = self.max_page_size
                parameter["description"] = (
                    f"Results per page: {self.page_size} when not given, at most {most} (a "
                    f"larger number is taken as {most})."
                )
        return parameters
