"""The device, repair case and return case workflows of PRODUCT.md as transition tables."""

from __future__ import annotations

from devices.choices import DeviceState as D
from devices.choices import RepairState as R
from devices.choices import ReturnState as T
from devices.models import DeviceEvent, RepairCaseEvent, ReturnCaseEvent
from devices.permissions import desk
from portal.workflow import Transition, Workflow


def _holder_or_desk(user, case) -> bool:
    return desk(user, case) or case.requested_by_id == user.pk


def _may_cancel_repair(user, case) -> bool:
    """The desk, or the reporter while no loaner is out on the case: a loaner comes back
    over the desk's counter, so the desk cancels that case when it has it back."""
    return desk(user, case) or (case.reported_by_id == user.pk and case.loaner_id is None)


# Who may cancel a case that has not left its holder yet: the person who opened it (the
# reporter or requester) or the desk, always with a reason (PRODUCT.md, journey 3).
CANCEL_REPAIR_FROM = (R.REPORTED, R.TRIAGED)
CANCEL_RETURN_FROM = (T.REQUESTED,)


DEVICE_WORKFLOW = Workflow(
    event_model=DeviceEvent,
    event_field="device",
    state_labels=dict(D.choices),
    transitions=[
        Transition(D.IN_STOCK, D.ASSIGNED, "assign", desk),
        Transition(D.IN_STOCK, D.LOANED, "lend", desk),
        Transition(D.LOANED, D.IN_STOCK, "take_back", desk),
        Transition(D.ASSIGNED, D.IN_REPAIR, "send_to_repair", desk),
        Transition(D.IN_REPAIR, D.ASSIGNED, "back_from_repair", desk),
        Transition(D.IN_REPAIR, D.RETIRED, "retire", desk),
        Transition(D.ASSIGNED, D.RETURNED, "receive_return", desk),
        Transition(D.RETURNED, D.IN_STOCK, "redeploy", desk),
        Transition(D.RETURNED, D.RETIRED, "retire", desk),
        Transition(D.ASSIGNED, D.RETIRED, "retire", desk, comment_required=True),
    ],
)

REPAIR_WORKFLOW = Workflow(
    event_model=RepairCaseEvent,
    event_field="case",
    state_labels=dict(R.choices),
    transitions=[
        Transition(R.REPORTED, R.TRIAGED, "triage", desk),
        Transition(R.TRIAGED, R.IN_TRANSIT, "ship", desk),
        Transition(R.IN_TRANSIT, R.AT_REPAIR_PARTNER, "arrive", desk),
        Transition(R.AT_REPAIR_PARTNER, R.REPAIRED, "repaired", desk),
        Transition(R.AT_REPAIR_PARTNER, R.REPLACED, "replaced", desk),
        Transition(R.AT_REPAIR_PARTNER, R.BEYOND_REPAIR, "beyond_repair", desk),
        Transition(R.TRIAGED, R.REPLACED, "replaced", desk),
        Transition(R.REPAIRED, R.RETURNED_TO_USER, "return", desk),
        Transition(R.REPLACED, R.RETURNED_TO_USER, "return", desk),
        Transition(R.BEYOND_REPAIR, R.CLOSED, "close", desk, comment_required=True),
        Transition(R.RETURNED_TO_USER, R.CLOSED, "close", desk),
        *[
            Transition(state, R.CANCELLED, "cancel", _may_cancel_repair, comment_required=True)
            for state in CANCEL_REPAIR_FROM
        ],
    ],
)

RETURN_WORKFLOW = Workflow(
    event_model=ReturnCaseEvent,
    event_field="case",
    state_labels=dict(T.choices),
    transitions=[
        Transition(T.REQUESTED, T.IN_TRANSIT, "ship", _holder_or_desk),
        Transition(T.REQUESTED, T.RECEIVED, "receive", desk),
        Transition(T.IN_TRANSIT, T.RECEIVED, "receive", desk),
        Transition(T.RECEIVED, T.WIPED, "wipe", desk),
        Transition(T.WIPED, T.REDEPLOYED, "redeploy", desk),
        Transition(T.WIPED, T.REFURBISHED, "refurbish", desk),
        Transition(T.WIPED, T.RECYCLED, "recycle", desk),
        Transition(T.REDEPLOYED, T.CLOSED, "close", desk),
        Transition(T.REFURBISHED, T.CLOSED, "close", desk),
        Transition(T.RECYCLED, T.CLOSED, "close", desk),
        *[
            Transition(state, T.CANCELLED, "cancel", _holder_or_desk, comment_required=True)
            for state in CANCEL_RETURN_FROM
        ],
    ],
)
