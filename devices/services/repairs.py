"""Repair cases: the fault report with its photos (and their thumbnails), each step of
the case through `REPAIR_WORKFLOW`, the loaner and the outcome (repaired, replaced, beyond).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from devices import jobs, permissions
from devices.choices import REPAIR_ENDED, DeviceState, FaultCategory, RepairState
from devices.models import RepairCase, RepairPhoto
from devices.services.common import (
    _cancel_reason,
    _case_people,
    _devices,
    _hand_over,
    _step,
    _take_back,
    _tell,
    _tell_cancelled,
    _tell_desk,
)
from devices.workflow import DEVICE_WORKFLOW, REPAIR_WORKFLOW
from portal.errors import NotFound, NotPermitted, RuleViolation
from portal.uploads import clean_image, thumbnail

MAX_PHOTOS = 5
PHOTO_THUMBNAIL_SIZE = 480  # pixels on the longer side; shown at 160 CSS px, sharp at 3x
OUTCOMES = (RepairState.REPAIRED, RepairState.REPLACED, RepairState.BEYOND_REPAIR)
OUTCOME_NEWS = {
    RepairState.REPAIRED: lambda: _("Your %(device)s is repaired and on its way back to you"),
    RepairState.REPLACED: lambda: _("Your %(device)s is replaced: a new device is on its way"),
    RepairState.BEYOND_REPAIR: lambda: _(
        "Your %(device)s cannot be repaired: the logistics desk will contact you"
    ),
}


@transaction.atomic
def report_fault(
    *,
    by,
    device_id: int,
    category: str,
    description: str,
    data_backed_up: bool = False,
    photos=(),
) -> RepairCase:
    """The holder (or their manager) reports a fault, with up to MAX_PHOTOS photos (each
    validated and re-encoded, so location metadata is gone). Lost or stolen is a security
    event: the desk is told at once."""
    [device] = _devices(device_id)
    clean_photos = _checked_report(by, device, category, description, photos)
    security = category == FaultCategory.LOST_OR_STOLEN
    case = RepairCase.objects.create(
        device=device,
        reported_by=by,
        **_case_people(device),
        category=category,
        description=description.strip(),
        data_backed_up=data_backed_up,
        is_security_event=security,
        repair_partner=device.model.default_repair_partner,
    )
    REPAIR_WORKFLOW.record_start(case, by=by)
    _keep_photos(case, clean_photos)
    _tell_desk(
        key=f"repaircase:{case.pk}:reported",
        title=lambda: (
            (
                _("Security: %(device)s is lost or stolen")
                if security
                else _("New repair case: %(device)s")
            )
            % {"device": device}
        ),
        body=case.description,
        url=reverse("devices:repair_case", args=[case.pk]),
    )
    return case


def _checked_report(by, device, category: str, description: str, photos) -> list:
    """Refuse a report the person may not make or that misses something; the photos,
    validated and re-encoded (so location metadata is gone)."""
    if not (permissions.holds(by, device) or permissions.manages(by, device)):
        raise NotFound(_("No such device."))
    if category not in FaultCategory.values:
        raise RuleViolation(_("Choose what is wrong."), field="category")
    if not description.strip():
        raise RuleViolation(_("Describe what happened."), field="description")
    if device.repair_cases.exclude(state__in=REPAIR_ENDED).exists():
        raise RuleViolation(_("This device already has an open repair case."), field="device")
    if len(photos) > MAX_PHOTOS:
        raise RuleViolation(
            _("Add at most %(count)s photos.") % {"count": MAX_PHOTOS}, field="photos"
        )
    return [clean_image(photo, field="photos", max_side=2400) for photo in photos]


def _keep_photos(case: RepairCase, clean_photos) -> None:
    """Store the photos in private storage; their thumbnails are made after the commit."""
    for clean in clean_photos:
        photo = RepairPhoto(case=case)
        photo.image.save(clean.name, clean, save=False)
        photo.save()
        transaction.on_commit(partial(_queue_photo_thumbnail, photo.pk))


def _case(case_id: int) -> RepairCase:
    case = (
        RepairCase.objects.select_for_update(of=("self",))
        .select_related("device", "holder")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(_("No such repair case."))
    return case


@transaction.atomic
def triage_case(*, by, case_id: int, comment: str = ""):
    return _step(
        REPAIR_WORKFLOW, _case(case_id), target=RepairState.TRIAGED, by=by, comment=comment
    )


@transaction.atomic
def ship_case(*, by, case_id: int, carrier: str, tracking_number: str, repair_partner: str = ""):
    """The device leaves for the repair partner with a carrier and tracking number."""
    case = _case(case_id)
    if not carrier.strip() or not tracking_number.strip():
        raise RuleViolation(_("Give the carrier and the tracking number."), field="tracking_number")
    event = _step(
        REPAIR_WORKFLOW,
        case,
        target=RepairState.IN_TRANSIT,
        by=by,
        carrier=carrier.strip(),
        tracking_number=tracking_number.strip(),
        repair_partner=repair_partner.strip() or case.repair_partner,
    )
    [device] = _devices(case.device_id)
    DEVICE_WORKFLOW.apply(device, target=DeviceState.IN_REPAIR, by=by, comment=f"#{case.pk}")
    return event


@transaction.atomic
def case_at_partner(*, by, case_id: int):
    return _step(REPAIR_WORKFLOW, _case(case_id), target=RepairState.AT_REPAIR_PARTNER, by=by)


@transaction.atomic
def lend_loaner(*, by, case_id: int, loaner_id: int) -> RepairCase:
    """A device from stock is lent to the case's holder for the duration of the repair."""
    case = _case(case_id)
    if not permissions.is_desk(by):
        raise NotPermitted(_("Only the logistics desk lends devices."))
    if (
        case.loaner_id
        or case.holder is None
        or case.state in (RepairState.RETURNED_TO_USER, *REPAIR_ENDED)
    ):
        raise RuleViolation(_("This case cannot get a loaner now."), field="loaner")
    [loaner] = _devices(loaner_id)
    _hand_over(loaner, to=case.holder, by=by, loan=True, comment=f"#{case.pk}")
    case.loaner = loaner
    case.save(update_fields=["loaner"])
    _tell(
        [case.holder_id],
        key=f"repaircase:{case.pk}:loaner:{loaner.pk}",
        title=lambda: _("A loaner is ready for you: %(device)s") % {"device": loaner.model},
        url=reverse("devices:repair_case", args=[case.pk]),
    )
    return case


@transaction.atomic
def record_outcome(
    *,
    by,
    case_id: int,
    outcome: str,
    cost=None,
    warranty_covered: bool | None = None,
    replacement_id: int | None = None,
    comment: str = "",
):
    """Repaired, replaced or beyond repair, with the cost and whether warranty covered it.
    Replaced: the old device is retired and the new one assigned to the holder, in one step."""
    case = _case(case_id)
    if outcome not in OUTCOMES:
        raise RuleViolation(_("Choose repaired, replaced or beyond repair."), field="outcome")
    cost = _cost(cost)
    if outcome == RepairState.REPLACED and (replacement_id is None or case.holder is None):
        raise RuleViolation(_("Choose the replacement device."), field="replacement")
    event = _step(
        REPAIR_WORKFLOW,
        case,
        target=outcome,
        by=by,
        comment=comment,
        cost=cost,
        warranty_covered=warranty_covered,
    )
    if outcome == RepairState.REPLACED:
        devices = {d.pk: d for d in _devices(case.device_id, replacement_id)}
        old, new = devices[case.device_id], devices[replacement_id]
        _take_back(
            old,
            target=DeviceState.RETIRED,
            by=by,
            comment=_("Replaced in #%(case)s") % {"case": case.pk},
        )
        _hand_over(new, to=case.holder, by=by, loan=False, comment=f"#{case.pk}")
        case.replacement = new
        case.save(update_fields=["replacement"])
    _tell(
        [case.holder_id, case.reported_by_id],
        key=f"repaircase:{case.pk}:{outcome}",
        title=lambda: OUTCOME_NEWS[outcome]() % {"device": case.device.model},
        url=reverse("devices:repair_case", args=[case.pk]),
    )
    return event


def _cost(cost) -> Decimal | None:
    """A repair's cost as a non-negative amount, or none."""
    try:
        cost = None if cost in (None, "") else Decimal(str(cost))
    except InvalidOperation:
        raise RuleViolation(_("Write the cost as a number."), field="cost") from None
    if cost is not None and cost < 0:
        raise RuleViolation(_("The cost cannot be negative."), field="cost")
    return cost


@transaction.atomic
def return_to_user(*, by, case_id: int):
    """The repaired (or replacement) device is back with its holder; the loaner comes back."""
    case = _case(case_id)
    event = _step(
        REPAIR_WORKFLOW,
        case,
        target=RepairState.RETURNED_TO_USER,
        by=by,
        returned_at=timezone.now(),
    )
    ids = [pk for pk in (case.device_id, case.loaner_id) if pk]
    devices = {d.pk: d for d in _devices(*ids)}
    device = devices[case.device_id]
    if device.state == DeviceState.IN_REPAIR:
        DEVICE_WORKFLOW.apply(device, target=DeviceState.ASSIGNED, by=by, comment=f"#{case.pk}")
    if case.loaner_id:
        _take_back(
            devices[case.loaner_id], target=DeviceState.IN_STOCK, by=by, comment=f"#{case.pk}"
        )
    return event


@transaction.atomic
def close_case(*, by, case_id: int, comment: str = ""):
    return _step(REPAIR_WORKFLOW, _case(case_id), target=RepairState.CLOSED, by=by, comment=comment)


@transaction.atomic
def cancel_repair_case(*, by, case_id: int, reason: str):
    """The reporter or the desk cancels a case still reported or triaged (the device has
    not left its holder), with a one-line reason. A loaner lent meanwhile goes back to
    stock; the other side (the reporter and holder, or the desk) is told."""
    case = _case(case_id)
    reason = _cancel_reason(reason)
    if case.loaner_id and not permissions.is_desk(by) and case.reported_by_id == by.pk:
        raise RuleViolation(
            _("A loaner is out on this case: bring it back to the desk, who cancels the case."),
            field="reason",
        )
    event = _step(REPAIR_WORKFLOW, case, target=RepairState.CANCELLED, by=by, comment=reason)
    if case.loaner_id:
        [loaner] = _devices(case.loaner_id)
        if loaner.state == DeviceState.LOANED:
            _take_back(loaner, target=DeviceState.IN_STOCK, by=by, comment=f"#{case.pk}")
    _tell_cancelled(
        case,
        by=by,
        people=[case.reported_by_id, case.holder_id],
        kind="repaircase",
        title=lambda: (
            _("Repair case #%(case)s is cancelled: %(device)s")
            % {"case": case.pk, "device": case.device.model}
        ),
        reason=reason,
        url=reverse("devices:repair_case", args=[case.pk]),
    )
    return event


def make_photo_thumbnail(*, photo_id: int) -> bool:
    """A fault photo's small WebP for the case pages; does nothing when already made."""
    with transaction.atomic():
        photo = RepairPhoto.objects.select_for_update().filter(pk=photo_id).first()
        if photo is None or photo.thumbnail:
            return False
        small = thumbnail(photo.image, size=PHOTO_THUMBNAIL_SIZE)
        photo.thumbnail.save(small.name, small, save=False)
        photo.save(update_fields=["thumbnail"])
        return True


def _queue_photo_thumbnail(photo_id: int) -> None:
    jobs.queue(jobs.MAKE_PHOTO_THUMBNAIL, photo_id=photo_id)
