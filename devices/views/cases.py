"""Repair and return cases in the portal: an employee (or their manager) reports a fault
or asks for a return; the desk works its queue and each case through devices.actions.

Every write goes through devices.services (via the one action table the admin and the
API use too), so a page cannot allow what the workflow refuses.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from devices import actions, permissions, selectors, services
from devices.choices import FaultCategory, RepairState, ReturnState
from devices.filters import DeskQueueForm
from devices.forms import FaultForm, QuickDepartmentSelect, QuickSelect, ReturnForm, fields_html
from devices.views import tables
from devices.views.common import bound, desk_required, refused
from portal.errors import DomainError
from portal.fields import department_tree_version
from portal.qr import qr_svg

# The steps a repair or return goes through, for the progress list on the case page.
REPAIR_STEPS = [
    RepairState.REPORTED,
    RepairState.TRIAGED,
    RepairState.IN_TRANSIT,
    RepairState.AT_REPAIR_PARTNER,
    (RepairState.REPAIRED, RepairState.REPLACED, RepairState.BEYOND_REPAIR),
    RepairState.RETURNED_TO_USER,
    RepairState.CLOSED,
]
RETURN_STEPS = [
    ReturnState.REQUESTED,
    ReturnState.IN_TRANSIT,
    ReturnState.RECEIVED,
    ReturnState.WIPED,
    (ReturnState.REDEPLOYED, ReturnState.REFURBISHED, ReturnState.RECYCLED),
    ReturnState.CLOSED,
]


def _steps(steps, state: str, labels: dict) -> list[dict]:
    """Each step with its label and whether it is done, current or to come."""
    flat = [s if isinstance(s, tuple) else (s,) for s in steps]
    if not any(state in group for group in flat):  # cancelled: opened, then stopped
        return [
            {"label": labels[flat[0][0]], "status": "done"},
            {"label": labels[state], "status": "current"},
        ]
    current = next((i for i, group in enumerate(flat) if state in group), 0)
    result = []
    for i, group in enumerate(flat):
        label = labels[state] if state in group else " / ".join(str(labels[s]) for s in group)
        status = "done" if i < current else "current" if i == current else "todo"
        result.append({"label": label, "status": status})
    return result


def _acting_device(request, pk):
    """A device this person holds or manages; anyone else gets a 404 (as in the service)."""
    device = selectors.device_page(request.user, pk)
    user = request.user
    if device is None or not (permissions.holds(user, device) or permissions.manages(user, device)):
        raise Http404(_("No such device."))
    return device


# --- reporting ---------------------------------------------------------------------------


@login_required
def report_fault(request, pk):
    device = _acting_device(request, pk)
    form = FaultForm(**bound(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.report_fault(
                    by=request.user,
                    device_id=device.pk,
                    category=data["category"],
                    description=data["description"],
                    data_backed_up=data["data_backed_up"],
                    photos=data["photos"],
                )
            except DomainError as error:
                status = refused(form, error)
            else:
                if case.is_security_event:
                    messages.warning(
                        request,
                        _(
                            "The logistics desk has been alerted. If the device can be "
                            "locked or wiped remotely, they will do it now."
                        ),
                    )
                else:
                    messages.success(
                        request,
                        _("Fault reported. The logistics desk will contact you about it."),
                    )
                return redirect("devices:repair_case", pk=case.pk)
    return render(
        request,
        "devices/report_fault.html",
        {"device": device, "form": form, "lost": FaultCategory.LOST_OR_STOLEN},
        status=status,
    )


@login_required
def request_return(request, pk):
    device = _acting_device(request, pk)
    form = ReturnForm(**bound(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                case = services.request_return(
                    by=request.user, device_id=device.pk, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                status = refused(form, error)
            else:
                messages.success(
                    request,
                    _("Return requested. Print the return label and send the device to the desk."),
                )
                return redirect("devices:return_case", pk=case.pk)
    return render(
        request, "devices/request_return.html", {"device": device, "form": form}, status=status
    )


# --- the desk's queue ------------------------------------------------------------------

QUEUE_PAGE_SIZE = 25  # rows per section and page
QUEUE_MAX_PAGE = 40  # OFFSET pages: past 1,000 rows the desk filters instead
SECURITY_LIMIT = 100
SECTIONS = ("repairs", "returns", "orphans")


SECTION_ROWS = {
    "repairs": tables.REPAIR_ROW,
    "returns": tables.RETURN_ROW,
    "orphans": tables.ORPHAN_ROW,
}


@desk_required
def desk(request):
    """The desk's queue: open work first, newest first, filtered by a GET form; each
    section shows a page with its true count, paged by `?<section>_page=`. The rows are
    plain values written by `devices.views.tables` (no template nodes per row)."""
    form = DeskQueueForm(request.GET or None)
    QuickDepartmentSelect.replacing(form.fields["department"])
    for name in ("kind", "state"):
        QuickSelect.replacing(form.fields[name])
    empty = selectors.DeskPage(rows=[], count=0, number=1, pages=1, size=QUEUE_PAGE_SIZE)
    sections, security, filters = dict.fromkeys(SECTIONS, empty), [], {}
    if not form.is_bound or form.is_valid():  # an invalid filter lists nothing
        filters = form.filters()
        queue = {}

        def section(name: str):
            # The querysets are built only when a section's SQL is (once per filter).
            if not queue:
                queue.update(selectors.desk_queue(**filters))
            return queue[name]

        key = _sql_key(filters)
        for name in SECTIONS:
            sections[name] = selectors.desk_page(
                functools.partial(section, name),
                page=request.GET.get(f"{name}_page"),
                size=QUEUE_PAGE_SIZE,
                max_page=QUEUE_MAX_PAGE,
                values=SECTION_ROWS[name],
                key=key and (name, key),
            )
            sections[name].links = _page_links(request, name, sections[name])
        security = selectors.desk_security(
            functools.partial(section, "security"),
            limit=SECURITY_LIMIT,
            values=tables.SECURITY_ROW,
            key=key,
        )
    now = timezone.now()
    return render(
        request,
        "devices/desk.html",
        {
            "form": form,
            "form_fields": fields_html(form, depends={"department": department_tree_version}),
            "filtered": bool(filters),
            **sections,
            "security": security,
            "security_items": tables.security_items(security, now),
            "repair_rows": tables.repair_rows(sections["repairs"].rows, now),
            "return_rows": tables.return_rows(sections["returns"].rows, now),
            "orphan_items": tables.orphan_items(sections["orphans"].rows),
        },
    )


def _sql_key(filters: dict):
    """What decides the SQL of the queue's pages, or None when the SQL holds values read
    from the database (a search looks its holders up first)."""
    if filters.get("q"):
        return None
    return tuple(
        sorted(
            (name, value.path if name == "department" else value) for name, value in filters.items()
        )
    ) or ("all",)


def _page_links(request, section: str, page) -> dict:
    """The previous and next page of one section, keeping the filters and the other
    sections' pages."""
    links = {}
    for key, number, wanted in (
        ("previous", page.number - 1, page.has_previous),
        ("next", page.number + 1, page.has_next),
    ):
        if wanted:
            query = request.GET.copy()
            query[f"{section}_page"] = number
            links[key] = f"?{query.urlencode()}#{section}-heading"
    return links


# --- one case ----------------------------------------------------------------------------


def _repair_or_404(request, pk):
    case = selectors.repair_case_page(request.user, pk)
    if case is None:
        raise Http404(_("No such repair case."))
    return case


def _return_or_404(request, pk):
    case = selectors.return_case_page(request.user, pk)
    if case is None:
        raise Http404(_("No such return case."))
    return case


def _action_forms(case, available, failed=None):
    """One form per action; the one that was just refused keeps its input and errors."""
    forms = []
    for action in available:
        form = failed[1] if failed and failed[0] == action.name else action.blank_form(case)
        if action.name == "lend":  # offer the devices in stock as suggestions
            form.fields["device"].widget.attrs["list"] = "stock-devices"
        forms.append({"action": action, "form": form})
    return forms


@login_required
def repair_case(request, pk, *, failed=None, status=200):
    case = _repair_or_404(request, pk)
    labels = dict(RepairState.choices)
    return render(
        request,
        "devices/repair_case.html",
        {
            "case": case,
            "steps": _steps(REPAIR_STEPS, case.state, labels),
            "labels": labels,
            "forms": _action_forms(case, actions.repair_actions(case, request.user), failed),
            "is_desk": permissions.is_desk(request.user),
            "device_link": permissions.may_see_device(request.user, case.device),
            "label": permissions.is_desk(request.user) and case.state in LABEL_STATES["repair"],
            "stock": selectors.stock_devices()[:20] if permissions.is_desk(request.user) else (),
        },
        status=status,
    )


@login_required
def return_case(request, pk, *, failed=None, status=200):
    case = _return_or_404(request, pk)
    labels = dict(ReturnState.choices)
    return render(
        request,
        "devices/return_case.html",
        {
            "case": case,
            "steps": _steps(RETURN_STEPS, case.state, labels),
            "labels": labels,
            "forms": _action_forms(case, actions.return_actions(case, request.user), failed),
            "is_desk": permissions.is_desk(request.user),
            "device_link": permissions.may_see_device(request.user, case.device),
            "label": case.state in LABEL_STATES["return"],
        },
        status=status,
    )


def _act(request, pk, name, table, page, find, success_url):
    action = table.get(name)
    if action is None:
        raise Http404(_("No such action."))
    find(request, pk)  # 404 for a case out of this person's sight
    form, status = actions.perform(
        action, by=request.user, case_id=pk, data=request.POST, files=request.FILES
    )
    if status == 200:
        # The page labels a success "Done:" itself; the message is the step's name.
        messages.success(request, f"{action.label}.")
        return redirect(success_url, pk=pk)
    for error in form.non_field_errors():
        # Also at the top: the action may no longer be offered (someone else acted first).
        messages.error(request, error)
    return page(request, pk, failed=(action.name, form), status=status)


@login_required
@require_POST
def repair_action(request, pk, action):
    table = actions.REPAIR_ACTIONS
    return _act(request, pk, action, table, repair_case, _repair_or_404, "devices:repair_case")


@login_required
@require_POST
def return_action(request, pk, action):
    table = actions.RETURN_ACTIONS
    return _act(request, pk, action, table, return_case, _return_or_404, "devices:return_case")


@login_required
def photo(request, pk, photo_pk):
    """A fault photo, only to those who may see its case; never from a public URL."""
    case = _repair_or_404(request, pk)
    found = next((p for p in case.photos.all() if p.pk == photo_pk), None)
    if found is None:
        raise Http404(_("No such photo."))
    # ?small=1 asks for the thumbnail (the full photo until the task has made it).
    image = found.thumbnail if request.GET.get("small") and found.thumbnail else found.image
    response = FileResponse(image.open("rb"), content_type=_image_type(image.name))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def _image_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {"png": "image/png", "webp": "image/webp"}.get(ext, "image/jpeg")


# --- shipping labels ---------------------------------------------------------------------

LABEL_STATES = {
    "repair": (RepairState.TRIAGED, RepairState.IN_TRANSIT),
    "return": (ReturnState.REQUESTED, ReturnState.IN_TRANSIT),
}


def _desk_address() -> list[str]:
    return [line.strip() for line in settings.PORTAL_LOGISTICS_ADDRESS.split("|") if line.strip()]


def _person_lines(person) -> list[str]:
    if person is None:
        return []
    lines = [person.get_full_name() or person.username]
    if person.department_id:
        lines.append(str(person.department))
    return [*lines, str(settings.PORTAL_ORGANISATION)]


def _label(request, *, case, reference, sender, recipient, page_url, back_url, packing):
    url = request.build_absolute_uri(page_url)
    return render(
        request,
        "devices/label.html",
        {
            "case": case,
            "reference": reference,
            "device": case.device,
            "sender": sender,
            "recipient": recipient,
            "back_url": back_url,
            "packing": packing,
            "qr": qr_svg(url, _("QR code of case %(reference)s") % {"reference": reference}),
        },
    )


@login_required
def repair_label(request, pk):
    """The label the desk puts on the parcel to the repair partner."""
    case = _repair_or_404(request, pk)
    if not permissions.is_desk(request.user):
        raise PermissionDenied(_("Only the logistics desk ships devices to repair."))
    page = reverse("devices:repair_case", args=[case.pk])
    return _label(
        request,
        case=case,
        reference=f"#{case.pk}",
        sender=_desk_address(),
        recipient=[case.repair_partner or _("Repair partner: not chosen yet")],
        page_url=page,
        back_url=page,
        packing=[],
    )


@login_required
def return_label(request, pk):
    """The label the holder (or their manager) puts on the parcel back to the desk."""
    case = _return_or_404(request, pk)
    page = reverse("devices:return_case", args=[case.pk])
    return _label(
        request,
        case=case,
        reference=f"#R{case.pk}",
        sender=_person_lines(case.holder or case.requested_by),
        recipient=_desk_address(),
        page_url=page,
        back_url=page,
        packing=[
            _("Back up what you need: the device is wiped when it arrives."),
            _("Take out your SIM card and any memory card."),
            _("Pack the charger and cable with the device."),
            _("Tape this label on the parcel, so the desk knows whose it is."),
        ],
    )
