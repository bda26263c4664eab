"""The IT reviewers' screens: the review queue, the checklist and the decision per version.

Every change goes through `appstore.services`; a refusal (`DomainError`) becomes an admin
error message and changes nothing. Which decision buttons a person sees is what the
version workflow allows them now; the services decide again when the button is pressed.

Importing the submodules here runs their `@admin.register`; the names stay importable
from `appstore.admin`.
"""

from appstore.admin.apps import AppAdmin
from appstore.admin.checklist import ChecklistForm, ChecklistItemAdmin
from appstore.admin.common import ListingStateFilter, ReviewPostMixin, ReviewStateFilter
from appstore.admin.listing_changes import (
    LISTING_COMPARISON,
    LISTING_DECISIONS,
    ListingChangeAdmin,
    ListingDecisionForm,
)
from appstore.admin.versions import DECISIONS, AppVersionAdmin, Decision, DecisionForm

__all__ = [
    "DECISIONS",
    "LISTING_COMPARISON",
    "LISTING_DECISIONS",
    "AppAdmin",
    "AppVersionAdmin",
    "ChecklistForm",
    "ChecklistItemAdmin",
    "Decision",
    "DecisionForm",
    "ListingChangeAdmin",
    "ListingDecisionForm",
    "ListingStateFilter",
    "ReviewPostMixin",
    "ReviewStateFilter",
]
