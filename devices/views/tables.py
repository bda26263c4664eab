"""The long tables of the devices pages (the fleet, the team page, the desk queue) written
in one Python loop per table instead of template nodes per cell: the same HTML the
templates wrote, every value escaped, each label translated once per table.

The city profile showed the template work per row as most of these pages' CPU (50 to 100
rows, each with an include, a `{% url %}`, filters and translated labels)."""

from __future__ import annotations

import datetime
import functools
import html

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone
from django.utils.html import avoid_wrapping
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext as catalogue_text

from devices.choices import (
    DeviceState,
    FaultCategory,
    RepairState,
    ReturnReason,
    ReturnState,
)

_PK = 987654321  # a pk no URL has, replaced by each row's


def _url_pattern(name: str) -> tuple[str, str]:
    """The URL of `name` for one pk, split where the pk goes (one reverse per process,
    URL configuration and script prefix)."""
    return _url_parts(name, get_urlconf(), get_script_prefix())


@functools.lru_cache(maxsize=64)
def _url_parts(name: str, urlconf, prefix: str) -> tuple[str, str]:
    head, _sep, tail = reverse(name, args=[_PK]).partition(str(_PK))
    return head, tail


@functools.lru_cache(maxsize=64)
def _escaped_labels(choices, language: str) -> dict:
    """{value: escaped label} of a choices class, once per language."""
    return {value: _esc(label) for value, label in choices.choices}


def _labels(choices) -> dict:
    return _escaped_labels(choices, get_language())


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _person(first: str, last: str, username: str) -> str:
    """`get_full_name|default:username`, escaped."""
    return _esc(f"{first} {last}".strip() or username)


@functools.lru_cache(maxsize=8192)
def _short_date(language: str, value) -> str:
    """`{{ value|date:"SHORT_DATE_FORMAT" }}`, escaped, each date once per process and
    language (a fleet's warranty dates fall on a few thousand days)."""
    return _esc(formats.date_format(value, "SHORT_DATE_FORMAT"))


def _dates():
    language = get_language()

    def date(value) -> str:
        return "—" if value is None else _short_date(language, value)

    return date


def fleet_rows(rows) -> SafeString:
    """The `<tr>`s of a fleet table from `selectors.FLEET_ROW` values."""
    head, tail = _url_pattern("devices:device")
    states = _labels(DeviceState)
    state_cell, held_cell = _esc(_("State")), _esc(_("Held by"))
    department_cell, warranty_cell = _esc(_("Department")), _esc(_("Warranty ends"))
    deactivated = f' <span class="tag tag--warning">{_esc(_("deactivated"))}</span>'
    date = _dates()
    # A page's devices share a few models and departments: each escaped once.
    models, departments = {}, {}
    parts = []
    for row in rows:
        tag = row["asset_tag"]
        maker, name = row["model__manufacturer"], row["model__name"]
        model = models.get((maker, name))
        if model is None:
            model = models[maker, name] = _esc(f"{maker} {name}")
        if tag:
            model = f"{model} · {_esc(tag)}"
        if row["assignee_id"] is None:
            holder = "—"
        else:
            holder = _person(
                row["assignee__first_name"], row["assignee__last_name"], row["assignee__username"]
            )
            if not row["assignee__is_active"]:
                holder += deactivated
        state = row["state"]
        department = departments.get(row["department__name"])
        if department is None:
            department = departments[row["department__name"]] = _esc(row["department__name"] or "—")
        parts.append(
            f'<tr>\n    <th scope="row"><a href="{head}{row["pk"]}{tail}">'
            f'{_esc(row["serial_number"])}</a><br><span class="muted">{model}</span></th>\n'
            f'    <td data-label="{state_cell}"><span class="device-state '
            f'device-state--{_esc(state)}">{states.get(state, _esc(state))}</span></td>\n'
            f'    <td data-label="{held_cell}">{holder}</td>\n'
            f'    <td data-label="{department_cell}">{department}</td>\n'
            f'    <td data-label="{warranty_cell}">{date(row["warranty_end"])}</td>\n  </tr>'
        )
    return mark_safe("\n  ".join(parts))  # noqa: S308 - every value and label is escaped


_UNITS = (("week", 7 * 24 * 60), ("day", 24 * 60), ("hour", 60), ("minute", 1))
_CALENDAR_FREE = datetime.timedelta(days=28)  # below this, timesince counts no months


@functools.lru_cache(maxsize=4096)
def _unit(language: str, name: str, count: int) -> str:
    return avoid_wrapping(TIME_STRINGS[name] % {"num": count})


def since(moment, now, *, language: str = "", separator: str = "") -> str:
    """`{{ moment|timesince }}` (Django's `timesince`, two adjacent units), with the unit
    texts translated once per language and count: under 28 days the text depends on
    the whole minutes between the two times alone, which are counted here; longer
    spans (months and years follow the calendar) go to `timesince` itself."""
    delta = now - moment
    if delta >= _CALENDAR_FREE:
        return timesince(moment, now)
    language = language or get_language()
    minutes = max(0, int(delta.total_seconds() // 60))
    counts = []
    for name, size in _UNITS:
        count, minutes = divmod(minutes, size)
        counts.append((name, count))
    first = next((i for i, (_name, count) in enumerate(counts) if count), None)
    if first is None:
        return _unit(language, "minute", 0)
    if first + 1 < len(counts) and counts[first + 1][1]:
        separator = separator or catalogue_text(", ")  # Django's own, as in timesince
        return separator.join(
            (_unit(language, *counts[first]), _unit(language, *counts[first + 1]))
        )
    return _unit(language, *counts[first])


def _ago(now):
    """`{% blocktranslate with time=moment|timesince %}{{ time }} ago{% endblocktranslate %}`
    for many moments, its texts translated once."""
    text = _("%(time)s ago")
    language, separator = get_language(), catalogue_text(", ")

    def ago(moment) -> str:
        return text % {"time": since(moment, now, language=language, separator=separator)}

    return ago


def _time(moment, text) -> str:
    """`<time datetime="{{ moment|date:'c' }}">text</time>` (the ISO time in local time)."""
    local = moment.astimezone(timezone.get_current_timezone())
    return f'<time datetime="{local.isoformat()}">{_esc(text)}</time>'


def _holder(row, prefix: str = "holder") -> str:
    """`{{ holder.get_full_name|default:holder.username|default:"—" }}`, escaped."""
    if row[f"{prefix}_id"] is None:
        return "—"
    return _person(
        row[f"{prefix}__first_name"], row[f"{prefix}__last_name"], row[f"{prefix}__username"]
    )


def _device_head(head, tail, row, mark: str) -> str:
    model = _esc(f"{row['device__model__manufacturer']} {row['device__model__name']}")
    return (
        f'<th scope="row"><a href="{head}{row["pk"]}{tail}">{mark}{row["pk"]} {model}</a>'
        f'<br><span class="muted">{_esc(row["device__serial_number"])}</span></th>'
    )


CASE_ROW = (
    "pk",
    "state",
    "device__serial_number",
    "device__model__manufacturer",
    "device__model__name",
    "holder_id",
    "holder__first_name",
    "holder__last_name",
    "holder__username",
)
REPAIR_ROW = (*CASE_ROW, "category", "loaner_id", "returned_at", "reported_at")
RETURN_ROW = (*CASE_ROW, "reason", "requested_at")
ORPHAN_ROW = (
    "pk",
    "serial_number",
    "model__manufacturer",
    "model__name",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
    "department__name",
)
SECURITY_ROW = (*CASE_ROW, "reported_at")


def _loaner_out(row) -> bool:
    """`RepairCase.loaner_out` from a row's values."""
    return (
        bool(row["loaner_id"])
        and row["returned_at"] is None
        and row["state"] != RepairState.CANCELLED
    )


def repair_rows(rows, now) -> SafeString:
    """The `<tr>`s of the desk's repairs (values of `REPAIR_ROW`)."""
    head, tail = _url_pattern("devices:repair_case")
    faults = _labels(FaultCategory)
    states = _labels(RepairState)
    cells = [_esc(text) for text in (_("Fault"), _("State"), _("Holder"), _("Reported"))]
    loaner = f' <span class="tag">{_esc(_("loaner out"))}</span>'
    ago = _ago(now)
    parts = []
    for row in rows:
        fault = faults.get(row["category"], _esc(row["category"]))
        state = states.get(row["state"], _esc(row["state"]))
        if _loaner_out(row):
            fault += loaner
        parts.append(
            f"<tr>\n      {_device_head(head, tail, row, '#')}\n"
            f'      <td data-label="{cells[0]}">{fault}</td>\n'
            f'      <td data-label="{cells[1]}">{state}</td>\n'
            f'      <td data-label="{cells[2]}">{_holder(row)}</td>\n'
            f'      <td data-label="{cells[3]}">'
            f"{_time(row['reported_at'], ago(row['reported_at']))}</td>\n    </tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped


def return_rows(rows, now) -> SafeString:
    """The `<tr>`s of the desk's returns (values of `RETURN_ROW`)."""
    head, tail = _url_pattern("devices:return_case")
    reasons = _labels(ReturnReason)
    states = _labels(ReturnState)
    cells = [_esc(text) for text in (_("Reason"), _("State"), _("Holder"), _("Requested"))]
    ago = _ago(now)
    parts = []
    for row in rows:
        reason = reasons.get(row["reason"], _esc(row["reason"]))
        state = states.get(row["state"], _esc(row["state"]))
        parts.append(
            f"<tr>\n      {_device_head(head, tail, row, '#R')}\n"
            f'      <td data-label="{cells[0]}">{reason}</td>\n'
            f'      <td data-label="{cells[1]}">{state}</td>\n'
            f'      <td data-label="{cells[2]}">{_holder(row)}</td>\n'
            f'      <td data-label="{cells[3]}">'
            f"{_time(row['requested_at'], ago(row['requested_at']))}</td>\n    </tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped


def orphan_items(rows) -> SafeString:
    """The `<li>`s of the devices held by deactivated accounts (values of `ORPHAN_ROW`)."""
    head, tail = _url_pattern("devices:device")
    parts = []
    for row in rows:
        model = _esc(f"{row['model__manufacturer']} {row['model__name']}")
        parts.append(
            f'<li><a href="{head}{row["pk"]}{tail}">{model} · {_esc(row["serial_number"])}</a>'
            f" · {_holder(row, 'assignee')} · {_esc(row['department__name'] or '—')}</li>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped


def security_items(rows, now) -> SafeString:
    """The `<li>`s of the open lost-or-stolen reports (values of `SECURITY_ROW`)."""
    head, tail = _url_pattern("devices:repair_case")
    states = _labels(RepairState)
    language, separator = get_language(), catalogue_text(", ")
    parts = []
    for row in rows:
        device = _esc(
            f"{row['device__model__manufacturer']} {row['device__model__name']} "
            f"({row['device__serial_number']})"
        )
        reported = since(row["reported_at"], now, language=language, separator=separator)
        parts.append(
            f'<li class="case-note--security"><a href="{head}{row["pk"]}{tail}">#{row["pk"]} '
            f"{device}</a> · {_holder(row)} · {states.get(row['state'], _esc(row['state']))}"
            f" · {_time(row['reported_at'], reported)}</li>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped
