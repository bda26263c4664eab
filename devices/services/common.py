"""Private helpers shared by the device services: row locks in primary-key order, the
hand-out and take-back of a device, and the notices to the desk and to the people of a case.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from devices.choices import DeviceState
from devices.models import Assignment, Device
from devices.permissions import is_desk
from devices.workflow import DEVICE_WORKFLOW
from portal.choices import Role
from portal.errors import NotFound, RuleViolation
from portal.models import User
from portal.notifications import notify_in_their_language, resolve


def _subject(key: str) -> str:
    """The case a notification key is about ("repaircase:12:reported" -> "repaircase:12")."""
    return ":".join(key.split(":")[:2])


def _tell_desk(*, key: str, title, body: str = "", url: str = "") -> None:
    desk = User.objects.filter(
        is_active=True, groups__name__in=[Role.LOGISTICS, Role.ADMINISTRATOR]
    ).distinct()
    notify_in_their_language(desk, key=key, title=title, body=body, url=url, subject=_subject(key))


def _tell(people, *, key: str, title, url: str) -> None:
    """Tell these people (ids, None skipped) about a step of their case, in their language."""
    ids = {pk for pk in people if pk}
    if ids:
        notify_in_their_language(
            User.objects.filter(pk__in=ids), key=key, title=title, url=url, subject=_subject(key)
        )


def _step(workflow, case, **kwargs):
    """Move a case a step on. What was said about its earlier steps is done with: those
    notifications are marked read for everyone (the desk's "new case" once someone acts
    on it), so only the latest news of a case stays unread."""
    event = workflow.apply(case, **kwargs)
    resolve(subject=f"{case._meta.model_name}:{case.pk}")
    return event


def _devices(*ids) -> list[Device]:
    """The devices, row-locked in primary-key order."""
    found = list(Device.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(found) != len(set(ids)):
        raise NotFound(_("No such device."))
    return found


def _case_people(device: Device) -> dict:
    """Who a new case belongs to besides the person opening it, as they are now: the
    holder, the holder's line manager and the device's department (whose line managers,
    and those above them, see the case). Kept on the case, so the device's next holder
    and their manager do not see it."""
    holder = device.assignee
    department_id = device.department_id or (holder.department_id if holder else None)
    return {
        "holder": holder,
        "line_manager_id": holder.line_manager_id if holder else None,
        "department_id": department_id,
    }


def _hand_over(device: Device, *, to: User, by, loan: bool, comment: str = "") -> None:
    target = DeviceState.LOANED if loan else DeviceState.ASSIGNED
    DEVICE_WORKFLOW.apply(
        device,
        target=target,
        by=by,
        comment=comment or _("To %(name)s") % {"name": to.get_full_name() or to.username},
        assignee=to,
        department=to.department,
    )
    Assignment.objects.create(
        device=device, user=to, is_loan=loan, started_at=timezone.now(), assigned_by=by
    )


def _take_back(device: Device, *, target: str, by, comment: str = "") -> None:
    Assignment.objects.filter(device=device, ended_at__isnull=True).update(ended_at=timezone.now())
    DEVICE_WORKFLOW.apply(device, target=target, by=by, comment=comment, assignee=None)


MAX_CANCEL_REASON = 200


def _cancel_reason(reason: str) -> str:
    """Why a case is cancelled: required, one line (whitespace collapsed), at most
    MAX_CANCEL_REASON characters."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise RuleViolation(_("Say why the case is cancelled."), field="reason")
    if len(reason) > MAX_CANCEL_REASON:
        raise RuleViolation(
            _("Keep the reason to %(count)s characters.") % {"count": MAX_CANCEL_REASON},
            field="reason",
        )
    return reason


def _tell_cancelled(case, *, by, people, kind: str, title, reason: str, url: str) -> None:
    """Tell the other side of a cancelled case: its people (not the one who cancelled),
    and the desk when someone else cancelled it."""
    key = f"{kind}:{case.pk}:cancelled"
    _tell([pk for pk in people if pk != by.pk], key=key, title=title, url=url)
    if not is_desk(by):
        _tell_desk(key=key, title=title, body=reason, url=url)
