"""States, platforms, categories and answers of the app store."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Platform(models.TextChoices):
    IOS = "ios", _("iOS")
    ANDROID = "android", _("Android")
    WINDOWS = "windows", _("Windows")
    WEB = "web", _("Web")


class Category(models.TextChoices):
    HEALTH_CARE = "health_care", _("Health and care")
    EDUCATION = "education", _("Education")
    TECHNICAL = "technical", _("Technical services and inspection")
    COMMUNICATION = "communication", _("Communication")
    ADMINISTRATION = "administration", _("Administration and HR")
    SECURITY = "security", _("Security")
    PRODUCTIVITY = "productivity", _("Productivity")


class DataClassification(models.TextChoices):
    OPEN = "open", _("Open")
    INTERNAL = "internal", _("Internal")
    CONFIDENTIAL = "confidential", _("Confidential")
    STRICTLY_CONFIDENTIAL = "strictly_confidential", _("Strictly confidential")


class CheckResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ListingChangeState(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class InstallSource(models.TextChoices):
    PORTAL = "portal", _("The portal")
    MDM = "mdm", _("Device management (MDM)")


# Package file types, the platform each installs on, and a file every real one contains.
PACKAGE_TYPES = {
    ".apk": (Platform.ANDROID, "AndroidManifest.xml"),
    ".ipa": (Platform.IOS, "Payload/"),
    ".msix": (Platform.WINDOWS, "AppxManifest.xml"),
    ".appx": (Platform.WINDOWS, "AppxManifest.xml"),
}
