"""Every write of the device fleet: assignment, repair cases, loans and returns.

Each service takes keyword-only arguments with the acting user (`by=`), runs in one
transaction, locks the rows it changes in primary-key order, goes through the transition
tables of `devices.workflow` and raises a domain error of `portal.errors` on refusal.

The package is split by subject: `fleet` (stock and assignment), `repairs` (fault reports,
photos, repair-case steps, loaners), `returns` (return requests, wipe, disposal) and
`common` (the shared row locks and notices). Every public name is re-exported here, so
callers keep using `devices.services.<name>`.
"""

from __future__ import annotations

from devices.services.common import MAX_CANCEL_REASON
from devices.services.fleet import add_to_stock, assign_device
from devices.services.repairs import (
    MAX_PHOTOS,
    OUTCOME_NEWS,
    OUTCOMES,
    PHOTO_THUMBNAIL_SIZE,
    cancel_repair_case,
    case_at_partner,
    close_case,
    lend_loaner,
    make_photo_thumbnail,
    record_outcome,
    report_fault,
    return_to_user,
    ship_case,
    triage_case,
)
from devices.services.returns import (
    DISPOSALS,
    cancel_return,
    close_return,
    dispose_return,
    receive_return,
    record_wipe,
    request_return,
    ship_return,
)

__all__ = [
    "DISPOSALS",
    "MAX_CANCEL_REASON",
    "MAX_PHOTOS",
    "OUTCOMES",
    "OUTCOME_NEWS",
    "PHOTO_THUMBNAIL_SIZE",
    "add_to_stock",
    "assign_device",
    "cancel_repair_case",
    "cancel_return",
    "case_at_partner",
    "close_case",
    "close_return",
    "dispose_return",
    "lend_loaner",
    "make_photo_thumbnail",
    "receive_return",
    "record_outcome",
    "record_wipe",
    "report_fault",
    "request_return",
    "return_to_user",
    "ship_case",
    "ship_return",
    "triage_case",
]
