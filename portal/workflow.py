"""The one workflow mechanism of the portal, used by every app.

A workflow is a transition table (from-state -> to-state, the action's name, and who may
do it). `Workflow.apply` checks the transition, applies it, and records an event row
(actor, from, to, comment, time) in the same transaction. The guard lives here, inside
the transition, so no entry point (page, admin, API, task) can skip it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import IllegalTransition, NotPermitted, RuleViolation

Guard = Callable[[object, models.Model], bool]


def anyone(user, obj) -> bool:
    return True


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    action: str
    allowed: Guard = anyone
    comment_required: bool = False


class Workflow:
    def __init__(
        self,
        *,
        event_model: type[models.Model],
        event_field: str,
        transitions: Iterable[Transition],
        state_field: str = "state",
        state_labels: dict[str, str] | None = None,
    ):
        self.event_model = event_model
        self.event_field = event_field
        self.state_field = state_field
        self.state_labels = state_labels or {}
        self.table: dict[tuple[str, str], Transition] = {}
        for transition in transitions:
            key = (transition.source, transition.target)
            if key in self.table:
                raise ValueError(f"Transition {key} is listed twice.")
            self.table[key] = transition

    def label(self, state: str) -> str:
        return str(self.state_labels.get(state, state))

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for (source, _), t in self.table.items() if source == state]

    def available(self, obj: models.Model, user) -> list[Transition]:
        """The transitions this user may make on this object now (for buttons and menus)."""
        state = getattr(obj, self.state_field)
        return [t for t in self.transitions_from(state) if t.allowed(user, obj)]

    def check(self, obj: models.Model, *, target: str, by, comment: str = "") -> Transition:
        """The transition to `target`, or the domain error that refuses it."""
        current = getattr(obj, self.state_field)
        transition = self.table.get((current, target))
        if transition is None:
            raise IllegalTransition(
                _("This cannot go from “%(from)s” to “%(to)s”.")
                % {"from": self.label(current), "to": self.label(target)}
            )
        if not transition.allowed(by, obj):
            raise NotPermitted(_("You may not do this."))
        if transition.comment_required and not comment.strip():
            raise RuleViolation(_("Say why: a comment is required."), field="comment")
        return transition

    def apply(self, obj: models.Model, *, target: str, by, comment: str = "", **changes):
        """Check, apply and record one transition. Returns the event row.

        The caller holds the object's row lock (`select_for_update`) in its transaction,
        so two people acting at once cannot both succeed.
        """
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Workflow.apply must run inside the service's transaction.")
        current = getattr(obj, self.state_field)
        self.check(obj, target=target, by=by, comment=comment)
        setattr(obj, self.state_field, target)
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.save(update_fields=[self.state_field, *changes])
        return self.event_model.objects.create(
            **{self.event_field: obj},
            actor=by,
            from_state=current,
            to_state=target,
            comment=comment.strip(),
            created_at=timezone.now(),
        )

    def record_start(self, obj: models.Model, *, by, comment: str = ""):
        """The first event of a new object: who opened it in its first state, and why."""
        return self.event_model.objects.create(
            **{self.event_field: obj},
            actor=by,
            from_state="",
            to_state=getattr(obj, self.state_field),
            comment=comment.strip(),
            created_at=timezone.now(),
        )
