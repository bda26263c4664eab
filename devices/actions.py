"""The desk's actions on repair and return cases, one table for the portal and the admin.

Each action names the form that collects its input and the service that carries it out,
so a page and an admin screen offering "ship" cannot ask for different things or call
different rules. Which actions a case offers follows from its workflow's transitions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from devices import permissions, services
from devices.choices import REPAIR_ENDED, RepairState, ReturnState
from devices.forms import (
    CancelForm,
    CommentForm,
    DisposeForm,
    OutcomeForm,
    ShipForm,
    StockDeviceForm,
    WipeForm,
)
from devices.workflow import REPAIR_WORKFLOW, RETURN_WORKFLOW
from portal.errors import DomainError


@dataclass(frozen=True)
class CaseAction:
    name: str
    label: str
    form: type[forms.Form]
    run: Callable  # run(by=, case_id=, data=cleaned_data)
    targets: tuple[str, ...] = ()  # the workflow states it moves to; () = not a transition
    danger: bool = False
    initial: Callable | None = None  # initial(case) -> the form's initial values

    def blank_form(self, case) -> forms.Form:
        """The action's empty form for this case, with what the case already knows."""
        return self.form(initial=self.initial(case) if self.initial else None)


def _comment(data) -> str:
    return data.get("comment", "")


def _repair_partner(case) -> str:
    """Where the case goes: its own repair partner, else its device model's default."""
    return case.repair_partner or case.device.model.default_repair_partner


REPAIR_ACTIONS: dict[str, CaseAction] = {
    a.name: a
    for a in [
        CaseAction(
            "triage",
            _("Triage"),
            CommentForm,
            lambda by, case_id, data: services.triage_case(
                by=by, case_id=case_id, comment=_comment(data)
            ),
            (RepairState.TRIAGED,),
        ),
        CaseAction(
            "lend",
            _("Lend a loaner"),
            StockDeviceForm,
            lambda by, case_id, data: services.lend_loaner(
                by=by, case_id=case_id, loaner_id=data["device"]
            ),
        ),
        CaseAction(
            "ship",
            _("Send to the repair partner"),
            ShipForm,
            lambda by, case_id, data: services.ship_case(by=by, case_id=case_id, **data),
            (RepairState.IN_TRANSIT,),
            initial=lambda case: {"repair_partner": _repair_partner(case)},
        ),
        CaseAction(
            "arrive",
            _("Arrived at the repair partner"),
            CommentForm,
            lambda by, case_id, data: services.case_at_partner(by=by, case_id=case_id),
            (RepairState.AT_REPAIR_PARTNER,),
        ),
        CaseAction(
            "outcome",
            _("Record the outcome"),
            OutcomeForm,
            lambda by, case_id, data: services.record_outcome(
                by=by,
                case_id=case_id,
                outcome=data["outcome"],
                cost=data.get("cost"),
                warranty_covered=data.get("warranty_covered"),
                replacement_id=data.get("replacement"),
                comment=_comment(data),
            ),
            (RepairState.REPAIRED, RepairState.REPLACED, RepairState.BEYOND_REPAIR),
        ),
        CaseAction(
            "return",
            _("Back with the user"),
            CommentForm,
            lambda by, case_id, data: services.return_to_user(by=by, case_id=case_id),
            (RepairState.RETURNED_TO_USER,),
        ),
        CaseAction(
            "close",
            _("Close the case"),
            CommentForm,
            lambda by, case_id, data: services.close_case(
                by=by, case_id=case_id, comment=_comment(data)
            ),
            (RepairState.CLOSED,),
        ),
        CaseAction(
            "cancel",
            _("Cancel the case"),
            CancelForm,
            lambda by, case_id, data: services.cancel_repair_case(
                by=by, case_id=case_id, reason=data["reason"]
            ),
            (RepairState.CANCELLED,),
            danger=True,
        ),
    ]
}

RETURN_ACTIONS: dict[str, CaseAction] = {
    a.name: a
    for a in [
        CaseAction(
            "ship",
            _("On its way to the desk"),
            CommentForm,
            lambda by, case_id, data: services.ship_return(
                by=by, case_id=case_id, comment=_comment(data)
            ),
            (ReturnState.IN_TRANSIT,),
        ),
        CaseAction(
            "receive",
            _("Received at the desk"),
            CommentForm,
            lambda by, case_id, data: services.receive_return(by=by, case_id=case_id),
            (ReturnState.RECEIVED,),
        ),
        CaseAction(
            "wipe",
            _("Record the data wipe"),
            WipeForm,
            lambda by, case_id, data: services.record_wipe(by=by, case_id=case_id, **data),
            (ReturnState.WIPED,),
        ),
        CaseAction(
            "dispose",
            _("Redeploy, refurbish or recycle"),
            DisposeForm,
            lambda by, case_id, data: services.dispose_return(
                by=by, case_id=case_id, outcome=data["outcome"], comment=_comment(data)
            ),
            (ReturnState.REDEPLOYED, ReturnState.REFURBISHED, ReturnState.RECYCLED),
        ),
        CaseAction(
            "close",
            _("Close the case"),
            CommentForm,
            lambda by, case_id, data: services.close_return(by=by, case_id=case_id),
            (ReturnState.CLOSED,),
        ),
        CaseAction(
            "cancel",
            _("Cancel the return"),
            CancelForm,
            lambda by, case_id, data: services.cancel_return(
                by=by, case_id=case_id, reason=data["reason"]
            ),
            (ReturnState.CANCELLED,),
            danger=True,
        ),
    ]
}


def _may_lend(case, user) -> bool:
    return (
        permissions.is_desk(user)
        and case.loaner_id is None
        and case.holder_id is not None
        and case.state not in (RepairState.RETURNED_TO_USER, *REPAIR_ENDED)
    )


def repair_actions(case, user) -> list[CaseAction]:
    """The actions this person may take on this repair case now, in the table's order."""
    targets = {t.target for t in REPAIR_WORKFLOW.available(case, user)}
    return [
        a
        for a in REPAIR_ACTIONS.values()
        if (a.targets and targets.intersection(a.targets))
        or (a.name == "lend" and _may_lend(case, user))
    ]


def return_actions(case, user) -> list[CaseAction]:
    targets = {t.target for t in RETURN_WORKFLOW.available(case, user)}
    return [a for a in RETURN_ACTIONS.values() if targets.intersection(a.targets)]


def perform(action: CaseAction, *, by, case_id: int, data, files=None) -> tuple[forms.Form, int]:
    """Validate the action's form and run its service. Returns the form (with the
    service's refusal on it, if any) and the HTTP status: 200 done, 4xx refused."""
    form = action.form(data=data, files=files)
    if not form.is_valid():
        return form, 400
    try:
        action.run(by=by, case_id=case_id, data=form.cleaned_data)
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return form, error.status_code
    return form, 200
