"""The fleet as people see it: My devices, a manager's department, the desk's list, one
device's page, and the CSV export of any filtered list.

Every page reads through `devices.selectors`, so a device out of a person's scope is a
404 here exactly as in the API.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from devices import permissions, selectors, services
from devices.choices import (
    REPAIR_ENDED,
    RETURN_ENDED,
    DeviceCategory,
    DeviceState,
    FaultCategory,
    RepairState,
    ReturnReason,
    ReturnState,
)
from devices.filters import DeviceFilter
from devices.forms import PersonForm, QuickDepartmentSelect, QuickSelect, fields_html
from devices.views import tables
from devices.views.common import bound, desk_required, refused
from portal.choices import Role
from portal.errors import DomainError
from portal.fields import department_tree_version

PAGE_SIZE = 50
RESULTS = "device-results"  # the id of the region htmx swaps


@login_required
def mine(request):
    devices = selectors.my_device_rows(request.user)
    today = timezone.localdate()
    categories, states = dict(DeviceCategory.choices), dict(DeviceState.choices)
    faults, repair_states = dict(FaultCategory.choices), dict(RepairState.choices)
    reasons, return_states = dict(ReturnReason.choices), dict(ReturnState.choices)
    for device in devices:
        device["model"] = f"{device['model__manufacturer']} {device['model__name']}"
        category = device["model__category"]
        device["category_label"] = categories.get(category, category)
        device["state_label"] = states.get(device["state"], device["state"])
        end = device["warranty_end"]
        device["warranty_ended"] = bool(end and end < today)
        for case in device["open_repairs"]:
            case["category_label"] = faults.get(case["category"], case["category"])
            case["state_label"] = repair_states.get(case["state"], case["state"])
            if case["loaner_id"]:
                case["loaner"] = (
                    f"{case['loaner__model__manufacturer']} {case['loaner__model__name']}"
                )
        for case in device["open_returns"]:
            case["reason_label"] = reasons.get(case["reason"], case["reason"])
            case["state_label"] = return_states.get(case["state"], case["state"])
    return render(
        request,
        "devices/mine.html",
        {
            "devices": devices,
            "is_manager": request.user.has_role(Role.LINE_MANAGER),
            "is_desk": permissions.is_desk(request.user),
        },
    )


COUNT_SECONDS = 60  # how long a list's count is kept in the shared cache
COUNT_KEY = "devices:fleet-count:v1:"
CURSORS = ("page", "after", "before")  # the paging parameters (not filters)


def _fleet_page(request, queryset, *, template: str, title: str, scope: str):
    """A filtered, searchable list paged by serial number (keyset, not OFFSET: the
    desk's page 500 costs what page 1 does); htmx swaps only the results."""
    filterset = DeviceFilter(request.GET or None, queryset=queryset)
    models = _label_filter_fields(filterset.form, scope)
    devices = filterset.qs
    page = selectors.fleet_page(
        devices,
        after=request.GET.get("after", "")[:MAX_KEY],
        before=request.GET.get("before", "")[:MAX_KEY],
        size=PAGE_SIZE,
    )
    count = _count(request, devices, page, scope)
    context = {
        "filter": filterset,
        "count": count,
        "pager": _pager(request, page, count),
        "rows": tables.fleet_rows(page.rows),
        "title": title,
        "scope": scope,
        "query": _filters_only(request.GET).urlencode(),
    }
    if request.htmx and request.htmx.target == RESULTS:
        response = render(request, "devices/partials/results.html", {**context, "partial": True})
    else:
        # Each filter field's HTML is kept per process (`fields_html`): the department
        # select is written again when the tree changes, the model select when the
        # models read for this request differ from the ones it was written with.
        context["form_fields"] = fields_html(
            filterset.form,
            depends={"department": department_tree_version, "model": lambda: tuple(models())},
            kind=DeviceFilter,
        )
        response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


MAX_KEY = 64  # a serial number's length


def _filters_only(query):
    query = query.copy()
    for name in CURSORS:
        query.pop(name, None)
    return query


def _count(request, devices, page, scope: str) -> int:
    """How many devices match. A first page that is not full is the whole list (no
    query); a longer list's COUNT is kept per scope and filter in the shared cache for
    `COUNT_SECONDS`, so paging and coming back do not count 55,000 rows each time."""
    first = not page.has_previous
    if first and not page.has_next:
        return len(page.rows)
    if devices.query.is_empty():
        return 0
    filters = sorted(_filters_only(request.GET).lists())
    who = (scope, request.user.department.path if scope == "team" else "")
    digest = hashlib.sha256(repr((who, filters)).encode()).hexdigest()[:32]
    key = COUNT_KEY + digest
    count = cache.get(key)
    if count is None:
        count = devices.order_by().count()
        cache.set(key, count, COUNT_SECONDS)
    return count


def _pager(request, page, count: int) -> dict:
    """The links to the first, previous and next page (keyset: each carries the serial
    number it starts after or ends before, and the page's number to show)."""
    number = 1
    if page.has_previous:
        try:
            number = max(2, int(request.GET.get("page", 2)))
        except ValueError:
            number = 2
    pages = max(-(-count // PAGE_SIZE), number + 1 if page.has_next else number)
    query = _filters_only(request.GET)

    def link(**cursor) -> str:
        here = query.copy()
        for name, value in cursor.items():
            here[name] = value
        return f"?{here.urlencode()}" if here else request.path

    links = {}
    if page.has_previous:
        links["first"] = link()
        links["previous"] = link(before=page.first_key, page=number - 1)
    if page.has_next:
        links["next"] = link(after=page.last_key, page=number + 1)
    return {
        "number": number,
        "pages": pages,
        "links": links,
        "shown": bool(links),
    }


def _label_filter_fields(form, scope: str):
    """Label and re-widget the filter form's fields; returns the function that reads the
    model select's choices (once per request)."""
    form.fields["q"].widget.input_type = "search"
    form.fields["q"].widget.attrs.update({"autocomplete": "off", "enterkeyhint": "search"})
    form.fields["q"].help_text = _("Serial number, IMEI, asset tag or the holder's name.")
    if scope == "team":
        del form.fields["department"]
    else:
        QuickDepartmentSelect.replacing(form.fields["department"])
    for name in ("state", "model", "warranty", "age", "inactive_holder"):
        QuickSelect.replacing(form.fields[name])
    models = form.fields["model"]
    choices = _model_choices(models)
    models.widget.choices = choices
    return choices


def _model_choices(field):
    """The device models as (value, name) pairs, no model instance (nor server-side
    cursor) per option: read when the form is shown (a results fragment does not)."""
    rows = []

    def choices():
        if not rows:
            rows.append(("", field.empty_label))
            rows.extend(
                (str(pk), f"{maker} {name}")
                for pk, maker, name in field.queryset.values_list("pk", "manufacturer", "name")
            )
        return rows

    return choices


@login_required
def team(request):
    user = request.user
    if not selectors.manages_a_department(user):
        raise PermissionDenied(_("Only line managers see their department's devices."))
    queryset = selectors.department_devices(user)
    return _fleet_page(
        request,
        queryset,
        template="devices/fleet.html",
        title=_("Devices of %(department)s") % {"department": user.department},
        scope="team",
    )


@desk_required
def fleet(request):
    return _fleet_page(
        request,
        selectors.devices_visible_to(request.user),
        template="devices/fleet.html",
        title=_("The fleet"),
        scope="desk",
    )


@login_required
def export(request):
    """The list as the person filtered it, as CSV (the desk: all; a manager: theirs)."""
    user = request.user
    if permissions.is_desk(user):
        queryset = selectors.devices_visible_to(user)
    elif user.has_role(Role.LINE_MANAGER) and user.department_id:
        queryset = selectors.department_devices(user)
    else:
        raise PermissionDenied(_("Only the desk and line managers export device lists."))
    filterset = DeviceFilter(request.GET or None, queryset=queryset)
    if filterset.is_bound and not filterset.is_valid():
        refusal = " ".join(str(e) for errors in filterset.errors.values() for e in errors)
        return HttpResponseBadRequest(refusal, content_type="text/plain; charset=utf-8")
    from devices.importing import export_devices_csv

    response = StreamingHttpResponse(
        export_devices_csv(
            selectors.fleet_list(filterset.qs), fields=permissions.device_fields_for(user)
        ),
        content_type="text/csv",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="devices-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def _device_or_404(request, pk):
    device = selectors.device_page(request.user, pk)
    if device is None:
        raise Http404(_("No such device."))
    return device


@login_required
def device(request, pk, *, assign_form=None, status=200):
    device = _device_or_404(request, pk)
    user = request.user
    is_desk = permissions.is_desk(user)
    acts = permissions.holds(user, device) or permissions.manages(user, device)
    open_repair = next((c for c in device.repair_cases.all() if c.state not in REPAIR_ENDED), None)
    open_return = next((c for c in device.return_cases.all() if c.state not in RETURN_ENDED), None)
    return render(
        request,
        "devices/device.html",
        {
            "device": device,
            "is_desk": is_desk,
            "fields": permissions.device_fields_for(user),
            "may_report": acts and open_repair is None and device.state == DeviceState.ASSIGNED,
            "may_return": acts and open_return is None and device.state == DeviceState.ASSIGNED,
            "open_repair": open_repair,
            "open_return": open_return,
            "assign_form": assign_form
            or (PersonForm() if is_desk and device.state == DeviceState.IN_STOCK else None),
            "events": device.events.all(),
            "state_labels": dict(DeviceState.choices),
        },
        status=status,
    )


@desk_required
@require_POST
def assign(request, pk):
    form = PersonForm(**bound(request))
    status = 400
    if form.is_valid():
        try:
            services.assign_device(
                by=request.user,
                device_id=pk,
                user_id=form.cleaned_data["person"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as error:
            status = refused(form, error)
        else:
            messages.success(request, _("The device is assigned."))
            return redirect("devices:device", pk=pk)
    return device(request, pk, assign_form=form, status=status)
