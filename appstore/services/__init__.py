"""Every write of the app store. Views, admin, API, tasks and commands call these."""

from appstore.services.announcements import announce_publication, announce_required
from appstore.services.apps import (
    LISTING_WORKFLOW,
    approve_listing_change,
    create_app,
    make_icon_thumbnail,
    refresh_search,
    reject_listing_change,
    update_listing,
    withdraw_listing_change,
)
from appstore.services.catalogue import (
    InstallationReport,
    install_app,
    rate_app,
    remove_rating,
    report_installation,
    report_installations,
)
from appstore.services.curation import set_featured
from appstore.services.media import (
    add_artifact,
    add_screenshot,
    make_screenshot_thumbnail,
    remove_artifact,
    remove_screenshot,
)
from appstore.services.versions import (
    add_version,
    approve_version,
    claim_version,
    parse_version,
    publish_version,
    record_checklist,
    reject_version,
    request_changes,
    submit_version,
    update_version,
    withdraw_version,
)

__all__ = [
    "LISTING_WORKFLOW",
    "add_artifact",
    "add_screenshot",
    "add_version",
    "announce_publication",
    "announce_required",
    "approve_listing_change",
    "approve_version",
    "claim_version",
    "create_app",
    "install_app",
    "make_icon_thumbnail",
    "make_screenshot_thumbnail",
    "parse_version",
    "publish_version",
    "rate_app",
    "record_checklist",
    "refresh_search",
    "reject_listing_change",
    "reject_version",
    "remove_artifact",
    "remove_rating",
    "remove_screenshot",
    "report_installation",
    "report_installations",
    "InstallationReport",
    "request_changes",
    "set_featured",
    "submit_version",
    "update_listing",
    "update_version",
    "withdraw_listing_change",
    "withdraw_version",
]
