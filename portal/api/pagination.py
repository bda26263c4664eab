"""How the API pages its lists. Two styles, one for long lists and one for short ones.

`CursorPagination` (the long lists: devices, repair cases, return cases): keyset paging on
a stable order that ends in a unique, indexed key. `?cursor=<opaque>&page_size=M`,
answered with `next`, `previous` and `results` (no count). The first page has no cursor;
every later page is reached by following `next` (or `previous`) as given, which carry the
filters and the page size. A page costs the same at any depth (no OFFSET, no COUNT), and a
row added or removed meanwhile neither repeats nor skips a row. A cursor that cannot be
read is a 400 with `fields.cursor`; `page` on such a list is a 400 with `fields.page`.

`StandardPagination` (the short lists: the catalogue, the audience catalogue, the owners'
submissions; a few hundred rows at most): `?page=N&page_size=M`, answered with `count`,
`next`, `previous` and `results`. A page is a whole number from 1 (or `last`); anything
else is a 400 with `fields.page`. A page past the last one is empty (its `previous` is
the last page), not a 404.

In both, a larger page size than 200 is taken as 200; an unreadable one as the default."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page
from django.db.models import Count, Q, QuerySet, Window
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination, _positive_int
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

MAX_PAGE_SIZE = 200
PAGE_SIZE_DESCRIPTION = (
    "Results per page: {size} when not given, at most {most} (a larger number is taken as {most})."
)


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
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        self.request = request
        paginator = self.django_paginator_class(queryset, page_size)
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw not in self.last_page_strings and _countable_in_one_query(queryset):
            number = self._page_number(request, paginator)
            rows = self._page_with_count(queryset, paginator, number, page_size)
            if rows is not None:
                self.page = Page(rows, number, paginator)
                return rows
        number = self._page_number(request, paginator)
        if number > paginator.num_pages:
            self.page = _PastTheEnd([], number, paginator)
        else:
            self.page = paginator.page(number)
        return list(self.page)

    @staticmethod
    def _page_with_count(queryset, paginator, number: int, size: int) -> list | None:
        """The page's rows and the list's count in one query (`COUNT(*) OVER ()`), or None
        when the page is empty (the count is then asked for on its own)."""
        start = (number - 1) * size
        rows = list(queryset.annotate(**{_TOTAL: Window(Count("*"))})[start : start + size])
        if not rows:
            return None
        paginator.count = _pop(rows[0], _TOTAL)
        for row in rows[1:]:
            _pop(row, _TOTAL)
        return rows

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
                parameter["description"] = PAGE_SIZE_DESCRIPTION.format(
                    size=self.page_size, most=self.max_page_size
                )
        return parameters


_TOTAL = "_list_total"


def _countable_in_one_query(queryset) -> bool:
    """Whether `COUNT(*) OVER ()` counts the list's rows: not when rows are grouped,
    distinct or combined (the window would count the rows before that)."""
    query = getattr(queryset, "query", None)
    return (
        isinstance(queryset, QuerySet)
        and not query.distinct
        and query.group_by is None
        and not query.combinator
        and not query.is_sliced
    )


def _pop(row, name: str):
    return row.pop(name) if isinstance(row, dict) else row.__dict__.pop(name)


# Keyset paging.


@dataclass(frozen=True)
class _Position:
    """Where a page starts: after (or, going back, before) the row with these key values;
    `inclusive` when that row itself belongs to the page (a link from an empty page)."""

    values: tuple
    backwards: bool = False
    inclusive: bool = False

    def encode(self) -> str:
        payload = {"v": list(self.values)}
        if self.backwards:
            payload["b"] = 1
        if self.inclusive:
            payload["i"] = 1
        raw = json.dumps(payload, separators=(",", ":"), default=str).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _key(row, name: str):
    return row[name] if isinstance(row, dict) else getattr(row, name)


class CursorPagination(BasePagination):
    """Keyset paging on the view's `cursor_ordering`: field names, each with "-" for
    descending, the last one unique (e.g. `("serial_number",)` or
    `("-reported_at", "-id")`). The page query is the list's own, ordered by these
    fields, starting after the cursor's row and limited to one row more than the page (to
    know whether there is a next one). Rows may be model instances or `values()` dicts
    holding the ordering fields."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = StandardPagination.page_size
    max_page_size = MAX_PAGE_SIZE
    # Asking for a page number here is a mistake worth saying, not ignoring (an old client
    # would otherwise get the first page again and again).
    page_number_query_param = "page"

    def paginate_queryset(self, queryset: QuerySet, request, view=None):
        self.request = request
        self.ordering = tuple(view.cursor_ordering)
        self.fields = [name.lstrip("-") for name in self.ordering]
        size = self.get_page_size(request)
        if request.query_params.get(self.page_number_query_param) is not None:
            raise ValidationError(
                {
                    self.page_number_query_param: [
                        _("This list is paged with cursors: follow the next and previous links.")
                    ]
                }
            )
        position = self._decode(request.query_params.get(self.cursor_query_param), queryset)
        backwards = position is not None and position.backwards
        order = [self._reverse(name) if backwards else name for name in self.ordering]
        rows = queryset.order_by(*order)
        if position is not None:
            rows = rows.filter(self._after(position, descending=self._descending(backwards)))
        rows = list(rows[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        self.page = rows
        self.next_position = self.previous_position = None
        first = tuple(_key(rows[0], f) for f in self.fields) if rows else None
        last = tuple(_key(rows[-1], f) for f in self.fields) if rows else None
        if backwards:
            if more:
                self.previous_position = _Position(first, backwards=True)
            self.next_position = (
                _Position(last) if rows else _Position(position.values, inclusive=True)
            )
        else:
            if more:
                self.next_position = _Position(last)
            if position is not None:
                self.previous_position = (
                    _Position(first, backwards=True)
                    if rows
                    else _Position(position.values, backwards=True, inclusive=True)
                )
        return rows

    def get_page_size(self, request) -> int:
        try:
            return _positive_int(
                request.query_params[self.page_size_query_param],
                strict=True,
                cutoff=self.max_page_size,
            )
        except (KeyError, ValueError):
            return self.page_size

    @staticmethod
    def _reverse(name: str) -> str:
        return name[1:] if name.startswith("-") else f"-{name}"

    def _descending(self, backwards: bool) -> list[bool]:
        return [name.startswith("-") != backwards for name in self.ordering]

    def _after(self, position: _Position, *, descending: list[bool]) -> Q:
        """The rows after the position in the page's order, as `a >= x AND (a > x OR (a = x
        AND (b > y ...)))`: the first comparison bounds an index scan, the rest are exact."""
        pairs = list(zip(self.fields, position.values, descending, strict=True))
        *leading, (name, value, desc) = pairs
        condition = Q(
            **{f"{name}__{'lt' if desc else 'gt'}{'e' if position.inclusive else ''}": value}
        )
        for name, value, desc in reversed(leading):
            strictly = Q(**{f"{name}__{'lt' if desc else 'gt'}": value})
            condition = strictly | (Q(**{name: value}) & condition)
        name, value, desc = pairs[0]
        if len(pairs) > 1:
            condition &= Q(**{f"{name}__{'lte' if desc else 'gte'}": value})
        return condition

    def _decode(self, raw: str | None, queryset: QuerySet) -> _Position | None:
        if raw is None or raw == "":
            return None
        invalid = ValidationError(
            {
                self.cursor_query_param: [
                    _(
                        "This cursor cannot be read: use the next or previous link of a page "
                        "of this list as it was given."
                    )
                ]
            }
        )
        try:
            padded = raw + "=" * (-len(raw) % 4)
            payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        except (ValueError, UnicodeError, binascii.Error):
            raise invalid from None
        if not isinstance(payload, dict) or not isinstance(payload.get("v"), list):
            raise invalid
        values = payload["v"]
        if len(values) != len(self.fields) or any(
            v is None or isinstance(v, (dict, list, bool, float)) for v in values
        ):
            raise invalid
        try:
            values = tuple(
                _field(queryset, name).to_python(value)
                for name, value in zip(self.fields, values, strict=True)
            )
        except (DjangoValidationError, FieldDoesNotExist, TypeError, ValueError, OverflowError):
            raise invalid from None
        if any(isinstance(v, str) and ("\x00" in v or len(v) > 1000) for v in values):
            raise invalid
        return _Position(values, backwards=payload.get("b") == 1, inclusive=payload.get("i") == 1)

    def _link(self, position: _Position | None) -> str | None:
        if position is None:
            return None
        url = self.request.build_absolute_uri()
        url = remove_query_param(url, self.page_number_query_param)
        return replace_query_param(url, self.cursor_query_param, position.encode())

    def get_next_link(self) -> str | None:
        return self._link(self.next_position)

    def get_previous_link(self) -> str | None:
        return self._link(self.previous_position)

    def get_paginated_response(self, data) -> Response:
        return Response(
            {
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last one.",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The page before, or null on the first one.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        order = ", ".join(
            f"{name.lstrip('-')} {'descending' if name.startswith('-') else 'ascending'}"
            for name in getattr(view, "cursor_ordering", ())
        )
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "Where the page starts: an opaque value. Leave it out for the first page "
                    "and follow `next` and `previous` as given (they keep the filters and the "
                    f"page size). Ordered by {order}. A page costs the same at any depth, and "
                    "rows added or removed meanwhile neither repeat nor go missing. A cursor "
                    "that cannot be read is a 400 with `fields.cursor`; this list does not "
                    "take `page` (a 400 with `fields.page`)."
                ),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": PAGE_SIZE_DESCRIPTION.format(
                    size=self.page_size, most=self.max_page_size
                ),
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


def _field(queryset: QuerySet, name: str):
    """The model field behind an ordering name (`id`, `serial_number`, `reported_at`)."""
    return queryset.model._meta.get_field(name)
