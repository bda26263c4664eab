"""The app version workflow of PRODUCT.md as a transition table."""

from __future__ import annotations

from appstore import permissions
from appstore.choices import VersionState as S
from appstore.models import AppVersionEvent
from portal.workflow import Transition, Workflow

VERSION_WORKFLOW = Workflow(
    event_model=AppVersionEvent,
    event_field="version",
    state_labels=dict(S.choices),
    transitions=[
        Transition(S.DRAFT, S.SUBMITTED, "submit", permissions.owns_version),
        Transition(S.CHANGES_REQUESTED, S.SUBMITTED, "resubmit", permissions.owns_version),
        Transition(S.SUBMITTED, S.IN_REVIEW, "claim", permissions.may_review_version),
        Transition(
            S.IN_REVIEW,
            S.CHANGES_REQUESTED,
            "request_changes",
            permissions.is_assigned_reviewer,
            comment_required=True,
        ),
        Transition(S.IN_REVIEW, S.APPROVED, "approve", permissions.is_assigned_reviewer),
        Transition(
            S.IN_REVIEW,
            S.REJECTED,
            "reject",
            permissions.is_assigned_reviewer,
            comment_required=True,
        ),
        Transition(S.APPROVED, S.PUBLISHED, "publish", permissions.may_review_version),
        Transition(S.PUBLISHED, S.SUPERSEDED, "supersede", permissions.may_review_version),
        Transition(
            S.PUBLISHED,
            S.WITHDRAWN,
            "withdraw",
            permissions.may_withdraw_version,
            comment_required=True,
        ),
    ],
)
