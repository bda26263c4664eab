"""Reads of the fleet that encode a rule: who sees which devices and cases."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Func, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import Lower, Upper

from devices import permissions
from devices.choices import REPAIR_ENDED, RETURN_ENDED, DeviceState, RepairState, ReturnState
from devices.models import (
    REPAIR_FINISHED,
    RETURN_FINISHED,
    Assignment,
    Device,
    DeviceEvent,
    RepairCase,
    RepairCaseEvent,
    ReturnCase,
    ReturnCaseEvent,
    work_first,
)
from portal.choices import Role
from portal.models import Department, User


def _managed_path(user) -> str | None:
    """The department path a line manager sees (theirs and everything below), or None."""
    if user.has_role(Role.LINE_MANAGER) and user.department_id:
        return user.department.path
    return None


def manages_a_department(user) -> bool:
    """A line manager with a department: they see "My department's devices"."""
    return user.is_authenticated and _managed_path(user) is not None


def devices_visible_to(user) -> QuerySet[Device]:
    """The desk sees every device; a line manager their department's; everyone their own."""
    if not user.is_authenticated:
        return Device.objects.none()
    devices = Device.objects.select_related("model", "assignee", "department")
    if permissions.is_desk(user):
        return devices
    scope = Q(assignee=user)
    if path := _managed_path(user):
        scope |= Q(department__path__startswith=path)
    return devices.filter(scope)


def department_devices(user) -> QuerySet[Device]:
    """A line manager's department and the departments below it (none for anyone else)."""
    path = _managed_path(user) if user.is_authenticated else None
    if path is None:
        return Device.objects.none()
    return Device.objects.select_related("model", "assignee", "department").filter(
        department__path__startswith=path
    )


def _cases_visible_to(model, user, opened_by: str):
    """The people of a case see it, as they were when it was opened: who opened it (the
    reporter or requester), the holder then, the holder's line manager then, and the line
    managers of the device's department then (or of a department above it). The desk and
    administrators see every case. Whoever holds or manages the device later does not see
    its earlier cases (nor their photos or labels)."""
    if not user.is_authenticated:
        return model.objects.none()
    if permissions.is_desk(user):
        return model.objects.all()
    people = Q(holder=user) | Q(**{opened_by: user}) | Q(line_manager=user)
    if path := _managed_path(user):
        below = Department.objects.filter(path__startswith=path)
        people |= Q(department__in=below.values("pk"))
    return model.objects.filter(people)


def holdings_visible_to(user) -> QuerySet[Assignment]:
    """Who held a device is the desk's to see; anyone else sees their own holding periods,
    and a line manager those of the people of their department and the ones below it, so a
    device's next holder does not learn who held it before them."""
    holdings = Assignment.objects.select_related("user")
    if permissions.is_desk(user):
        return holdings
    people = Q(user=user)
    if path := _managed_path(user):
        people |= Q(user__department__path__startswith=path)
    return holdings.filter(people)


def repair_cases_visible_to(user) -> QuerySet[RepairCase]:
    return _cases_visible_to(RepairCase, user, "reported_by")


def return_cases_visible_to(user) -> QuerySet[ReturnCase]:
    return _cases_visible_to(ReturnCase, user, "requested_by")


HOLDER_LIST_LIMIT = 2000


def search_devices(queryset: QuerySet[Device], text: str) -> QuerySet[Device]:
    """Prefix search by serial number, IMEI, asset tag, or the holder's name or username.
    Every branch uses an index (upper-case prefix indexes on the device and the person)."""
    words = text.split()
    if not words:
        return queryset
    term = words[0].upper()
    holders = User.objects.annotate(
        _first=Upper("first_name"), _last=Upper("last_name"), _user=Upper("username")
    )
    for word in words:
        word = word.upper()
        holders = holders.filter(
            Q(_first__startswith=word) | Q(_last__startswith=word) | Q(_user__startswith=word)
        )
    # With the holders as a short list of ids the planner combines the three prefix indexes
    # and the holder index (a BitmapOr); a subquery inside the OR would make it walk the
    # whole table. Only a very broad name ("a") falls back to the subquery.
    holder_ids = list(holders.values_list("pk", flat=True)[: HOLDER_LIST_LIMIT + 1])
    by_holder = (
        Q(assignee_id__in=holder_ids)
        if len(holder_ids) <= HOLDER_LIST_LIMIT
        else Q(assignee__in=holders.values("pk"))
    )
    return queryset.annotate(
        _serial=Upper("serial_number"), _imei=Upper("imei"), _tag=Upper("asset_tag")
    ).filter(
        Q(_serial__startswith=term)
        | Q(_imei__startswith=term)
        | Q(_tag__startswith=term)
        | by_holder
    )


OPEN_REPAIR = ~Q(state__in=REPAIR_ENDED)
OPEN_RETURN = ~Q(state__in=RETURN_ENDED)


# What a list shows of a joined person (the holder): never the password hash, the email
# or the rest of the account.
PERSON_SHOWN = ("id", "first_name", "last_name", "username", "is_active", "department")


def person_columns_only(relation: str) -> list[str]:
    """The columns of the person joined as `relation` that a list does not show, for
    `defer()`: the joined row then carries only `PERSON_SHOWN`."""
    return [
        f"{relation}__{column.name}"
        for column in User._meta.concrete_fields
        if column.name not in PERSON_SHOWN
    ]


def fleet_list(queryset: QuerySet[Device]) -> QuerySet[Device]:
    """What a list row shows, in one query per page: model, holder, department."""
    return (
        queryset.select_related("model", "assignee", "department")
        .defer(*person_columns_only("assignee"))
        .order_by("serial_number")
    )


# What a fleet row shows, as plain values (no model instance per row).
FLEET_ROW = (
    "pk",
    "serial_number",
    "asset_tag",
    "state",
    "warranty_end",
    "model__manufacturer",
    "model__name",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
    "assignee__is_active",
    "department__name",
)


@dataclass
class KeysetPage:
    """One page of a list in serial-number order, cut by a key (the serial number the
    page starts after or ends before) instead of an OFFSET, so page 500 costs what
    page 1 costs."""

    rows: list
    has_previous: bool
    has_next: bool

    @property
    def first_key(self) -> str | None:
        return self.rows[0]["serial_number"] if self.rows else None

    @property
    def last_key(self) -> str | None:
        return self.rows[-1]["serial_number"] if self.rows else None


def fleet_page(
    queryset: QuerySet[Device], *, after: str = "", before: str = "", size: int = 50
) -> KeysetPage:
    """The page of `queryset` (filtered devices) after the serial number `after`, or the
    one before `before`, or the first: `size` rows of `FLEET_ROW` values in one query (one
    more row is read to know whether another page follows)."""
    rows = queryset.order_by()
    if before:
        cut = list(
            rows.filter(serial_number__lt=before)
            .order_by("-serial_number")
            .values(*FLEET_ROW)[: size + 1]
        )
        more = len(cut) > size
        if not more and len(cut) < size:  # back at the start: the first page, whole
            return fleet_page(queryset, size=size)
        cut = cut[:size]
        cut.reverse()
        return KeysetPage(rows=cut, has_previous=more, has_next=True)
    if after:
        rows = rows.filter(serial_number__gt=after)
    cut = list(rows.order_by("serial_number").values(*FLEET_ROW)[: size + 1])
    return KeysetPage(rows=cut[:size], has_previous=bool(after), has_next=len(cut) > size)


def my_devices(user) -> list[Device]:
    """What this person holds, with the open repair and return cases they may see (a
    previous holder's cases stay theirs)."""
    return list(
        Device.objects.filter(assignee=user)
        .select_related("model")
        .prefetch_related(
            Prefetch(
                "repair_cases",
                queryset=repair_cases_visible_to(user)
                .filter(OPEN_REPAIR)
                .select_related("loaner__model"),
                to_attr="open_repairs",
            ),
            Prefetch(
                "return_cases",
                queryset=return_cases_visible_to(user).filter(OPEN_RETURN),
                to_attr="open_returns",
            ),
        )
        .order_by("model__category", "serial_number")
    )


# What a card of My devices shows, as plain values: the device, and its open repairs
# and returns this person may see.
MY_DEVICE_ROW = (
    "pk",
    "serial_number",
    "asset_tag",
    "state",
    "warranty_end",
    "model__manufacturer",
    "model__name",
    "model__category",
)
MY_REPAIR_ROW = (
    "pk",
    "device_id",
    "category",
    "state",
    "is_security_event",
    "loaner_id",
    "loaner__model__manufacturer",
    "loaner__model__name",
)
MY_RETURN_ROW = ("pk", "device_id", "reason", "state")

# The SQL of My devices already built, by who the person is to the rules (desk, the
# department they manage): the person's own id is its only parameter that changes.
_MINE_SQL: dict = {}
_MINE_SQL_MOST = 1024


def _mine_queries(user) -> tuple:
    """((sql, params, positions of the person's id in params), ...) of the devices,
    repairs and returns queries of `my_device_rows`."""
    held = Device.objects.filter(assignee=user)
    devices = held.select_related("model").order_by("model__category", "serial_number")
    repairs = repair_cases_visible_to(user).filter(OPEN_REPAIR, device__in=held.values("pk"))
    returns = return_cases_visible_to(user).filter(OPEN_RETURN, device__in=held.values("pk"))
    compiled = []
    for queryset, names in (
        (devices, MY_DEVICE_ROW),
        (repairs, MY_REPAIR_ROW),
        (returns, MY_RETURN_ROW),
    ):
        sql, params = queryset.values(*names).query.sql_with_params()
        positions = tuple(
            i for i, value in enumerate(params) if type(value) is int and value == user.pk
        )
        compiled.append((sql, tuple(params), positions))
    return tuple(compiled)


def my_device_rows(user) -> list[dict]:
    """What this person holds (`MY_DEVICE_ROW` values, by category and serial number),
    each with `open_repairs` and `open_returns`: the open cases of it they may see (a
    previous holder's cases stay theirs), as `MY_REPAIR_ROW` and `MY_RETURN_ROW` values.
    The SQL is built once per process for each place a person can have in the rules
    (the desk, the department a line manager manages, anyone else); a person without a
    device costs one query."""
    key = (permissions.is_desk(user), _managed_path(user))
    queries = _MINE_SQL.get(key)
    if queries is None:
        queries = _mine_queries(user)
        if len(_MINE_SQL) < _MINE_SQL_MOST:
            _MINE_SQL[key] = queries

    def run(query, names) -> list[dict]:
        sql, params, positions = query
        params = list(params)
        for position in positions:
            params[position] = user.pk
        return _run((sql, params), names)

    devices = run(queries[0], MY_DEVICE_ROW)
    if not devices:
        return devices
    by_id = {}
    for device in devices:
        device["open_repairs"], device["open_returns"] = [], []
        by_id[device["pk"]] = device
    for case in run(queries[1], MY_REPAIR_ROW):
        by_id[case["device_id"]]["open_repairs"].append(case)
    for case in run(queries[2], MY_RETURN_ROW):
        by_id[case["device_id"]]["open_returns"].append(case)
    return devices


def device_page(user, pk: int) -> Device | None:
    """One device this person may see, with its history and the cases they may see, or None."""
    return (
        devices_visible_to(user)
        .prefetch_related(
            Prefetch("events", queryset=DeviceEvent.objects.select_related("actor")),
            Prefetch("assignments", queryset=holdings_visible_to(user)),
            Prefetch(
                "repair_cases", queryset=repair_cases_visible_to(user).order_by("-reported_at")
            ),
            Prefetch(
                "return_cases", queryset=return_cases_visible_to(user).order_by("-requested_at")
            ),
        )
        .filter(pk=pk)
        .first()
    )


def repair_case_page(user, pk: int) -> RepairCase | None:
    return (
        repair_cases_visible_to(user)
        .select_related(
            "device__model", "device__assignee", "holder", "reported_by", "loaner__model"
        )
        .select_related("replacement__model")
        .prefetch_related(
            Prefetch("events", queryset=RepairCaseEvent.objects.select_related("actor")),
            "photos",
        )
        .filter(pk=pk)
        .first()
    )


def return_case_page(user, pk: int) -> ReturnCase | None:
    return (
        return_cases_visible_to(user)
        .select_related("device__model", "holder", "requested_by", "wiped_by")
        .prefetch_related(
            Prefetch("events", queryset=ReturnCaseEvent.objects.select_related("actor"))
        )
        .filter(pk=pk)
        .first()
    )


def _desk_scope(queryset, *, state, department, devices, open_cases):
    queryset = queryset.filter(state=state) if state else queryset.filter(open_cases)
    if department is not None:
        queryset = queryset.filter(department__path__startswith=department.path)
    if devices is not None:
        queryset = queryset.filter(device__in=devices)
    return queryset


def desk_queue(
    *, kind: str = "", state: str = "", department=None, partner: str = "", q: str = ""
) -> dict:
    """The logistics desk's work: repair cases and returns (open ones unless a state is
    asked for; open work first, newest first), filtered by kind, state, the department
    the case was opened for (and those below it), the repair partner (repairs only) and
    a device's serial number or asset tag; and devices still held by a deactivated
    account (only on the unfiltered queue). Each is an ordered queryset: read a page of
    it with `desk_page`."""
    # The devices searched for, once for both kinds (the holder look-up is a query).
    devices = search_devices(Device.objects.all(), q).values("pk") if q else None
    repairs = _desk_scope(
        RepairCase.objects.all(),
        state=state if state in RepairState.values else "",
        department=department,
        devices=devices,
        open_cases=OPEN_REPAIR,
    )
    if partner:
        repairs = repairs.filter(repair_partner__istartswith=partner)
    returns = _desk_scope(
        ReturnCase.objects.all(),
        state=state if state in ReturnState.values else "",
        department=department,
        devices=devices,
        open_cases=OPEN_RETURN,
    )
    if (state and state not in RepairState.values) or kind == "return":
        repairs = repairs.none()
    if (state and state not in ReturnState.values) or kind == "repair" or partner:
        returns = returns.none()
    filtered = any((kind, state, department, partner, q))
    orphans = (
        Device.objects.none() if filtered else Device.objects.filter(assignee__is_active=False)
    )
    return {
        "repairs": _work_first(repairs, REPAIR_FINISHED, "reported_at"),
        "returns": _work_first(returns, RETURN_FINISHED, "requested_at"),
        "security": repairs.filter(is_security_event=True)
        .exclude(state__in=REPAIR_FINISHED)
        .select_related("device__model")
        .defer(*person_columns_only("holder"))
        .select_related("holder")
        .order_by("-reported_at", "-pk"),
        "orphans": orphans.select_related("model", "assignee", "department")
        .defer(*person_columns_only("assignee"))
        # By the holder's name without the name index: walking all people in name order
        # to find the few who left is slower than sorting the leavers' devices.
        .order_by(Lower("assignee__last_name"), "serial_number"),
    }


def _work_first(queryset, finished, opened_at: str):
    """Open work first, then finished cases; newest first within each (the order of the
    `*_open_work` partial indexes)."""
    return queryset.annotate(_finished=work_first(finished)).order_by(
        "_finished", f"-{opened_at}", "-pk"
    )


# What a desk row shows beside the case: the device, its model and the holder ("loaner
# out" reads the loaner's id alone).
_CASE_ROW = ("device__model", "holder")


@dataclass
class DeskPage:
    """One page of a desk queue section, with the section's true count (and the links
    to the pages beside it, which the view adds)."""

    rows: list
    count: int
    number: int
    pages: int
    size: int
    links: dict = field(default_factory=dict)

    @property
    def reach(self) -> int:
        """How many rows the pages reach."""
        return self.pages * self.size

    @property
    def capped(self) -> bool:
        """More rows than the pages reach (the desk filters to find the rest)."""
        return self.count > self.reach

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def desk_page(
    queryset: QuerySet,
    *,
    page,
    size: int = 25,
    max_page: int = 40,
    values: tuple = (),
    key=None,
) -> DeskPage:
    """A page of an ordered section of `desk_queue` with the section's true count, in one
    query: the page is cut on the case (or device) table alone, in the queue's order (an
    index scan of the `*_open_work` index for the open cases), only its rows are joined
    to their devices and people, and each row carries the count (a subquery PostgreSQL
    runs once). Pages are OFFSET pages, at most `max_page` of them (the desk filters
    rather than reads page 41); a page past the end (a stale link) is read again as the
    last page. With `values` the rows are dicts of those values (what the page shows)
    instead of model instances, and with a `key` too (a hashable value that decides the
    SQL: the section and its filters, none read from the database) the SQL is built
    once per process and key."""
    try:
        number = min(max(1, int(page)), max_page)
    except (TypeError, ValueError):
        number = 1
    rows, count = _desk_rows(queryset, (number - 1) * size, size, values, key)
    if count is None:  # past the end (a stale link): the last page
        count = (queryset() if callable(queryset) else queryset).count()
        number = min(max(1, -(-count // size)), max_page)
        rows, _count = _desk_rows(queryset, (number - 1) * size, size, values, key)
    pages = min(max(1, -(-count // size)), max_page)
    return DeskPage(rows=rows, count=count, number=number, pages=pages, size=size)


# The SQL of desk pages already built, by section, filters, page and columns: building
# and compiling a page's query costs several times what PostgreSQL takes to run it.
_COMPILED: dict = {}
_COMPILED_MOST = 512
_EMPTY = object()  # a section that reads nothing (`.none()`), compiled as such

# Relations a desk row shows columns of (`device__model__name`...): the prefix, the alias
# and table, its join (on the page's columns, `c`, or an earlier join) and the page's
# column it needs. The page is cut on the section's own table first; only its rows are
# joined here (fewer tables to plan, and no join of every open case).
_JOINS = {
    RepairCase: (
        ("device__model__", "m", "devices_devicemodel", "JOIN", "m.id = d.model_id", None),
        ("device__", "d", "devices_device", "JOIN", "d.id = c.device_id", "device_id"),
        ("holder__", "u", "portal_user", "LEFT JOIN", "u.id = c.holder_id", "holder_id"),
    ),
    Device: (
        ("model__", "m", "devices_devicemodel", "JOIN", "m.id = c.model_id", "model_id"),
        ("assignee__", "u", "portal_user", "LEFT JOIN", "u.id = c.assignee_id", "assignee_id"),
        (
            "department__",
            "p",
            "portal_department",
            "LEFT JOIN",
            "p.id = c.department_id",
            "department_id",
        ),
    ),
}
_JOINS[ReturnCase] = _JOINS[RepairCase]


def _page_sql(queryset: QuerySet, start: int, size: int, values: tuple, total: str) -> tuple:
    """(sql, params) of one page of `queryset` as the columns `values` (+ `_total`, the
    section's count, when `total` is "subquery" (a count PostgreSQL runs once, an index-only
    scan for the open cases) or "window" (counted while the rows are read for the sort,
    for a section no index orders)). The page is cut on the section's own query in its
    order, then joined to the relations whose columns it shows, in the same order."""
    quote = connection.ops.quote_name
    joins = _JOINS[queryset.model]
    inner_tables = {
        alias.table_name for alias in queryset.query.alias_map.values() if alias.join_type
    } - {None}
    used, inner_names, select = [], [], []

    def inner(name: str) -> str:
        if name not in inner_names:
            inner_names.append(name)
        return f"c.{quote(name)}"

    for name in values:
        for prefix, alias, table, _kind, _on, needs in joins:
            if name.startswith(prefix) and "__" not in name[len(prefix) :]:
                if needs and table in inner_tables:  # joined already to filter the section
                    select.append(inner(name))
                else:
                    select.append(f"{alias}.{quote(name[len(prefix) :])}")
                    used.append(prefix)
                break
        else:
            select.append(inner(name))
    annotations, order = {}, []
    for position, item in enumerate(queryset.query.order_by):
        if isinstance(item, str):
            descending = item.startswith("-")
            order.append(f"{inner(item.lstrip('-'))}{' DESC' if descending else ''}")
        else:  # an expression (the holder's name in lower case): read as a column
            descending = getattr(item, "descending", False)
            expression = item.expression if hasattr(item, "expression") else item
            annotations[f"_order{position}"] = expression
            order.append(f"{inner(f'_order{position}')}{' DESC' if descending else ''}")
    if total == "subquery":
        count = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
        annotations["_total"] = Subquery(count)
    elif total == "window":
        annotations["_total"] = Window(Count("pk"))
    if total:
        select.append(inner("_total"))
    if "device__model__" in used:
        used.append("device__")
    needed = {needs for prefix, *_rest, needs in joins if prefix in used and needs}
    for column in sorted(needed):
        inner(column)
    cut = queryset.annotate(**annotations).values(*inner_names)[start : start + size]
    sql, params = cut.query.sql_with_params()
    joined = [
        f"{kind} {quote(table)} {alias} ON {on}"
        for prefix, alias, table, kind, on, _needs in reversed(joins)
        if prefix in used
    ]
    return (
        # Only quoted names and the compiled page's SQL (values stay parameters).
        f"SELECT {', '.join(select)} FROM ({sql}) c {' '.join(joined)} "  # noqa: S608
        f"ORDER BY {', '.join(order)}",
        params,
    )


def _desk_rows(queryset, start: int, size: int, values: tuple, key=None):
    """(rows, count) of one page; the count is None when the page has no row (0 for an
    empty first page). `queryset` may be a function returning it, called only when the
    SQL is built. With a `key` (what decides the SQL: the section and its filters) the
    page's SQL is compiled once per process and key."""
    cache_key = (key, start, size, values) if key is not None and values else None
    compiled = _COMPILED.get(cache_key) if cache_key else None
    if compiled is None:
        queryset = queryset() if callable(queryset) else queryset
        if queryset.query.is_empty():
            compiled = _EMPTY
        elif not values:
            return _desk_instances(queryset, start, size)
        else:
            total = "window" if queryset.model is Device else "subquery"
            compiled = _page_sql(queryset, start, size, values, total)
        if cache_key and len(_COMPILED) < _COMPILED_MOST:
            _COMPILED[cache_key] = compiled
    if compiled is _EMPTY:
        return [], 0
    rows = _run(compiled, (*values, "_total"))
    count = rows[0]["_total"] if rows else None
    return rows, (0 if count is None and start == 0 else count)


def _desk_instances(queryset: QuerySet, start: int, size: int):
    """`_desk_rows` as model instances with their related rows."""
    cut = queryset.values("pk")[start : start + size]
    total = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
    model = queryset.model
    joined = model.objects.filter(pk__in=cut).annotate(_total=Subquery(total))
    if "_finished" in queryset.query.annotations:
        joined = joined.annotate(_finished=queryset.query.annotations["_finished"])
    joined = joined.order_by(*queryset.query.order_by)
    if model is Device:
        joined = joined.select_related("model", "assignee", "department").defer(
            *person_columns_only("assignee")
        )
    else:
        joined = joined.select_related(*_CASE_ROW).defer(*person_columns_only("holder"))
    rows = list(joined)
    count = rows[0]._total if rows else None
    return rows, (0 if count is None and start == 0 else count)


def _run(compiled: tuple, names: tuple) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(*compiled)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def desk_security(queryset, *, limit: int, values: tuple, key=None) -> list[dict]:
    """The open lost-or-stolen reports of `desk_queue` (at most `limit`), as dicts of
    `values`; `queryset` may be a function returning it. With a `key` (as for
    `desk_page`) the SQL is built once per process."""
    cache_key = ("security", key, limit, values) if key is not None else None
    compiled = _COMPILED.get(cache_key) if cache_key else None
    if compiled is None:
        queryset = queryset() if callable(queryset) else queryset
        if queryset.query.is_empty():
            compiled = _EMPTY
        else:
            compiled = _page_sql(queryset, 0, limit, values, "")
        if cache_key and len(_COMPILED) < _COMPILED_MOST:
            _COMPILED[cache_key] = compiled
    return [] if compiled is _EMPTY else _run(compiled, values)


def stock_devices(model_id: int | None = None) -> QuerySet[Device]:
    """Devices the desk can hand out or lend now."""
    devices = Device.objects.filter(state=DeviceState.IN_STOCK).select_related("model")
    return devices.filter(model_id=model_id) if model_id else devices
