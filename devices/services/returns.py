"""Returns of devices: the request, shipping to the desk, receipt, the data wipe and the
disposal (redeploy, refurbish or recycle), each step through `RETURN_WORKFLOW`.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import permissions
from devices.choices import DeviceState, ReturnReason, ReturnState, WipeMethod
from devices.models import ReturnCase
from devices.services.common import (
    _cancel_reason,
    _case_people,
    _devices,
    _step,
    _take_back,
    _tell,
    _tell_cancelled,
    _tell_desk,
)
from devices.workflow import DEVICE_WORKFLOW, RETURN_WORKFLOW
from portal.errors import NotFound, RuleViolation

DISPOSALS = {
    ReturnState.REDEPLOYED: DeviceState.IN_STOCK,
    ReturnState.REFURBISHED: DeviceState.RETIRED,
    ReturnState.RECYCLED: DeviceState.RETIRED,
}

# A return has the device until the desk redeploys, refurbishes or recycles it; then the
# device's next holder may return it, even before the desk closes the earlier case (which
# they do not see).
UNDER_WAY = (ReturnState.REQUESTED, ReturnState.IN_TRANSIT, ReturnState.RECEIVED, ReturnState.WIPED)


@transaction.atomic
def request_return(*, by, device_id: int, reason: str) -> ReturnCase:
    """The holder, or their line manager for a leaver, asks to return a device."""
    [device] = _devices(device_id)
    if not (permissions.holds(by, device) or permissions.manages(by, device)):
        raise NotFound(_("No such device."))
    if reason not in ReturnReason.values:
        raise RuleViolation(_("Choose why the device is returned."), field="reason")
    if device.return_cases.filter(state__in=UNDER_WAY).exists():
        raise RuleViolation(_("A return of this device is already under way."), field="device")
    case = ReturnCase.objects.create(
        device=device, requested_by=by, reason=reason, **_case_people(device)
    )
    RETURN_WORKFLOW.record_start(case, by=by)
    _tell_desk(
        key=f"returncase:{case.pk}:requested",
        title=lambda: _("Return requested: %(device)s") % {"device": device},
        url=reverse("devices:return_case", args=[case.pk]),
    )
    return case


def _return(case_id: int) -> ReturnCase:
    case = (
        ReturnCase.objects.select_for_update(of=("self",))
        .select_related("device")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(_("No such return case."))
    return case


@transaction.atomic
def ship_return(*, by, case_id: int, comment: str = ""):
    """The device is on its way to the desk (sent by the holder, or collected by the desk)."""
    case = _return(case_id)
    return _step(RETURN_WORKFLOW, case, target=ReturnState.IN_TRANSIT, by=by, comment=comment)


@transaction.atomic
def receive_return(*, by, case_id: int):
    """The desk has the device: it is no longer held by anyone."""
    case = _return(case_id)
    event = _step(RETURN_WORKFLOW, case, target=ReturnState.RECEIVED, by=by)
    [device] = _devices(case.device_id)
    if device.state == DeviceState.ASSIGNED:
        _take_back(device, target=DeviceState.RETURNED, by=by, comment=f"#R{case.pk}")
    _tell(
        [case.requested_by_id, case.holder_id],
        key=f"returncase:{case.pk}:received",
        title=lambda: _("The logistics desk received %(device)s") % {"device": device},
        url=reverse("devices:return_case", args=[case.pk]),
    )
    return event


@transaction.atomic
def record_wipe(*, by, case_id: int, method: str, certificate: str):
    """The data wipe, with its method and certificate; nothing leaves the desk without it."""
    case = _return(case_id)
    if method not in WipeMethod.values:
        raise RuleViolation(_("Choose how the device was wiped."), field="wipe_method")
    if not certificate.strip():
        raise RuleViolation(_("Give the wipe certificate number."), field="wipe_certificate")
    return _step(
        RETURN_WORKFLOW,
        case,
        target=ReturnState.WIPED,
        by=by,
        wipe_method=method,
        wipe_certificate=certificate.strip(),
        wiped_by=by,
        wiped_at=timezone.now(),
    )


@transaction.atomic
def dispose_return(*, by, case_id: int, outcome: str, comment: str = ""):
    """Redeploy to stock, send to refurbishment, or recycle a wiped device."""
    case = _return(case_id)
    if outcome not in DISPOSALS:
        raise RuleViolation(_("Choose redeploy, refurbish or recycle."), field="outcome")
    event = _step(RETURN_WORKFLOW, case, target=outcome, by=by, comment=comment)
    [device] = _devices(case.device_id)
    DEVICE_WORKFLOW.apply(device, target=DISPOSALS[outcome], by=by, comment=f"#R{case.pk}")
    return event


@transaction.atomic
def close_return(*, by, case_id: int):
    return _step(RETURN_WORKFLOW, _return(case_id), target=ReturnState.CLOSED, by=by)


@transaction.atomic
def cancel_return(*, by, case_id: int, reason: str):
    """The requester or the desk cancels a return still requested (the device has not
    left its holder, who keeps it), with a one-line reason; the other side is told."""
    case = _return(case_id)
    reason = _cancel_reason(reason)
    event = _step(RETURN_WORKFLOW, case, target=ReturnState.CANCELLED, by=by, comment=reason)
    _tell_cancelled(
        case,
        by=by,
        people=[case.requested_by_id, case.holder_id],
        kind="returncase",
        title=lambda: (
            _("Return #R%(case)s is cancelled: %(device)s")
            % {"case": case.pk, "device": case.device.model}
        ),
        reason=reason,
        url=reverse("devices:return_case", args=[case.pk]),
    )
    return event
