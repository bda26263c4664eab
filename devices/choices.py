"""States, categories and reasons of the device fleet and its repair and return cases."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceCategory(models.TextChoices):
    PHONE = "phone", _("Phone")
    TABLET = "tablet", _("Tablet")
    LAPTOP = "laptop", _("Laptop")
    ACCESSORY = "accessory", _("Accessory")


class DeviceState(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    ASSIGNED = "assigned", _("Assigned")
    IN_REPAIR = "in_repair", _("In repair")
    LOANED = "loaned", _("Loaned")
    RETURNED = "returned", _("Returned")
    RETIRED = "retired", _("Retired")


class FaultCategory(models.TextChoices):
    SCREEN = "screen", _("Screen")
    BATTERY = "battery", _("Battery")
    WATER = "water", _("Water damage")
    SOFTWARE = "software", _("Software")
    LOST_OR_STOLEN = "lost_or_stolen", _("Lost or stolen")
    OTHER = "other", _("Other")


class RepairState(models.TextChoices):
    REPORTED = "reported", _("Reported")
    TRIAGED = "triaged", _("Triaged")
    IN_TRANSIT = "in_transit", _("In transit")
    AT_REPAIR_PARTNER = "at_repair_partner", _("At the repair partner")
    REPAIRED = "repaired", _("Repaired")
    REPLACED = "replaced", _("Replaced")
    BEYOND_REPAIR = "beyond_repair", _("Beyond repair")
    RETURNED_TO_USER = "returned_to_user", _("Returned to the user")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# A case in one of these states is over: nothing more happens to it.
REPAIR_ENDED = (RepairState.CLOSED, RepairState.CANCELLED)


class ReturnReason(models.TextChoices):
    LEAVING = "leaving", _("Leaving")
    UPGRADE = "upgrade", _("Upgrade")
    BROKEN = "broken", _("Broken")
    NO_LONGER_NEEDED = "no_longer_needed", _("No longer needed")


class ReturnState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    WIPED = "wiped", _("Wiped")
    REDEPLOYED = "redeployed", _("Redeployed")
    REFURBISHED = "refurbished", _("Refurbished")
    RECYCLED = "recycled", _("Recycled")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


RETURN_ENDED = (ReturnState.CLOSED, ReturnState.CANCELLED)


class WipeMethod(models.TextChoices):
    MDM_REMOTE = "mdm_remote", _("Remote wipe through the MDM")
    FACTORY_RESET = "factory_reset", _("Factory reset with encryption")
    CERTIFIED_ERASURE = "certified_erasure", _("Certified erasure software")
    PHYSICAL_DESTRUCTION = "physical_destruction", _("Physical destruction")


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    REFUSED = "refused", _("Refused: bad rows")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
