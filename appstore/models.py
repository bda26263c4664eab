"""The app catalogue: apps, their versions, and each version's history."""

from __future__ import annotations

from uuid import uuid4

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from appstore.choices import (
    Category,
    CheckResult,
    DataClassification,
    InstallSource,
    ListingChangeState,
    Platform,
    VersionState,
)
from portal.choices import Role, WorkPattern
from portal.models import Department, TransitionEvent
from portal.storage import private_storage
from portal.validators import validate_one_line

# Names, summaries and identifiers are one line: they go into lists, email subjects and
# headers. The services validate the models, so pages, admin and API refuse alike.
ONE_LINE = [validate_one_line]


def icon_path(instance, filename: str) -> str:
    return f"appstore/icons/{uuid4().hex}/{filename}"


def screenshot_path(instance, filename: str) -> str:
    return f"appstore/screenshots/{uuid4().hex}/{filename}"


def package_path(instance, filename: str) -> str:
    return f"appstore/packages/{uuid4().hex}/{filename}"


class App(models.Model):
    """An app a department offers its colleagues; what staff see is its published version."""

    name = models.CharField(_("name"), max_length=120, validators=ONE_LINE)
    slug = models.SlugField(_("address name"), max_length=140, unique=True)
    summary = models.CharField(_("summary"), max_length=200, validators=ONE_LINE)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="apps",
    )
    support_contact = models.EmailField(_("support contact"))
    # Audience: everyone, or the union of the listed departments (with the departments
    # below them), roles and work patterns.
    audience_everyone = models.BooleanField(_("everyone"), default=False)
    audience_departments = models.ManyToManyField(
        Department, verbose_name=_("departments"), blank=True, related_name="+"
    )
    audience_roles = ArrayField(
        models.CharField(max_length=30, choices=Role.choices),
        verbose_name=_("roles"),
        blank=True,
        default=list,
    )
    audience_work_patterns = ArrayField(
        models.CharField(max_length=20, choices=WorkPattern.choices),
        verbose_name=_("work patterns"),
        blank=True,
        default=list,
    )
    is_required = models.BooleanField(_("required for its audience"), default=False)
    is_featured = models.BooleanField(_("featured"), default=False)
    icon = models.ImageField(_("icon"), upload_to=icon_path, blank=True)
    icon_thumbnail = models.ImageField(upload_to=icon_path, blank=True, editable=False)
    # Name (A), summary (B), category labels in every language (C), description (D);
    # kept current by the services that change them.
    search_vector = SearchVectorField(null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("app")
        verbose_name_plural = _("apps")
        ordering = ["name"]
        indexes = [GinIndex(fields=["search_vector"], name="app_search")]

    def __str__(self) -> str:
        return self.name


class AppVersion(models.Model):
    """One release of an app, reviewed by IT before anyone can install it."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=40, validators=ONE_LINE)
    major = models.PositiveIntegerField(editable=False)
    minor = models.PositiveIntegerField(editable=False)
    patch = models.PositiveIntegerField(editable=False)
    state = models.CharField(
        _("state"), max_length=30, choices=VersionState.choices, default=VersionState.DRAFT
    )
    release_notes = models.TextField(_("release notes"), blank=True)
    data_classification = models.CharField(
        _("data classification"), max_length=30, choices=DataClassification.choices
    )
    processes_personal_data = models.BooleanField(_("processes personal data"), default=False)
    personal_data_description = models.TextField(_("personal data processed"), blank=True)
    dpia_done = models.BooleanField(_("data protection impact assessment done"), default=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Set once the publication's announcement ran (told its audience, or queued its
    # chunks): a published version without it is announced by the reconciler.
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("app version")
        verbose_name_plural = _("app versions")
        ordering = ["app", "-major", "-minor", "-patch"]
        constraints = [
            models.UniqueConstraint(
                fields=["app", "major", "minor", "patch"],
                name="appversion_unique_number",
                violation_error_message=_("This app already has a version with this number."),
            ),
        ]
        indexes = [models.Index(fields=["state", "submitted_at"], name="appversion_queue")]

    def __str__(self) -> str:
        return f"{self.app} {self.version}"

    @property
    def number(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)


class AppVersionEvent(TransitionEvent):
    version = models.ForeignKey(AppVersion, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("app version event")
        verbose_name_plural = _("app version events")


class ChecklistItem(models.Model):
    """One house standard every version is checked against; administrators maintain them."""

    text = models.CharField(_("check"), max_length=200, validators=ONE_LINE)
    guidance = models.TextField(_("guidance for the reviewer"), blank=True)
    is_required = models.BooleanField(_("required for approval"), default=True)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("review checklist item")
        verbose_name_plural = _("review checklist")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class ChecklistAnswer(models.Model):
    """A reviewer's result for one checklist item on one version."""

    version = models.ForeignKey(AppVersion, on_delete=models.CASCADE, related_name="checklist")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    result = models.CharField(_("result"), max_length=20, choices=CheckResult.choices)
    note = models.TextField(_("note"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "item"],
                name="checklistanswer_once_per_item",
                violation_error_message=_("This item is already answered for this version."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_result_display()}"


class AppArtifact(models.Model):
    """How a version reaches one platform: a store or MDM entry, an uploaded package, or a
    web address. A version has at most one per platform."""

    version = models.ForeignKey(AppVersion, on_delete=models.CASCADE, related_name="artifacts")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    min_os_version = models.CharField(
        _("minimum OS version"), max_length=20, blank=True, validators=ONE_LINE
    )
    store_url = models.URLField(_("store or MDM link"), blank=True)
    mdm_identifier = models.CharField(
        _("store or MDM identifier"),
        max_length=200,
        blank=True,
        validators=ONE_LINE,
        help_text=_("Bundle id, package name or the MDM system's app id."),
    )
    package = models.FileField(
        _("package"), upload_to=package_path, storage=private_storage, blank=True
    )
    package_name = models.CharField(
        _("package file name"), max_length=200, blank=True, validators=ONE_LINE
    )
    package_size = models.PositiveBigIntegerField(_("package size"), null=True, blank=True)
    package_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    web_url = models.URLField(_("web address"), blank=True)

    class Meta:
        verbose_name = _("platform artefact")
        verbose_name_plural = _("platform artefacts")
        ordering = ["version", "platform"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "platform"],
                name="artifact_once_per_platform",
                violation_error_message=_("This version already has an artefact for the platform."),
            ),
            models.CheckConstraint(
                condition=~Q(store_url="", mdm_identifier="", package="", web_url=""),
                name="artifact_has_a_way_to_install",
                violation_error_message=_(
                    "Give a store or MDM link or identifier, a package, or a web address."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.get_platform_display()})"

    @property
    def kind(self) -> str:
        """How the install action works: web, package, or store."""
        if self.web_url:
            return "web"
        if self.package:
            return "package"
        return "store"


class AppScreenshot(models.Model):
    """A screenshot shown with a version; reviewed with that version."""

    version = models.ForeignKey(AppVersion, on_delete=models.CASCADE, related_name="screenshots")
    image = models.ImageField(_("screenshot"), upload_to=screenshot_path)
    thumbnail = models.ImageField(upload_to=screenshot_path, blank=True, editable=False)
    alt_text = models.CharField(
        _("description for screen readers"),
        max_length=250,
        validators=ONE_LINE,
        help_text=_("What the screenshot shows, for people who cannot see it."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("screenshot")
        verbose_name_plural = _("screenshots")
        ordering = ["version", "position", "id"]

    def __str__(self) -> str:
        return self.alt_text


class ListingChange(models.Model):
    """Changes to the listing of an app that is published (or has a version with IT) wait
    for IT review. Every edit by the owners bumps the revision, so a reviewer's decision
    applies to the revision they saw."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="listing_changes")
    proposed = models.JSONField(_("proposed listing"), default=dict)
    icon = models.ImageField(_("new icon"), upload_to=icon_path, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ListingChangeState.choices,
        default=ListingChangeState.SUBMITTED,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("listing change")
        verbose_name_plural = _("listing changes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["app"],
                condition=Q(state="submitted"),
                name="listingchange_one_open_per_app",
                violation_error_message=_("A listing change for this app already waits."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.app}: {self.get_state_display()}"


class ListingChangeEvent(TransitionEvent):
    change = models.ForeignKey(ListingChange, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("listing change event")
        verbose_name_plural = _("listing change events")


class Installation(models.Model):
    """Which version of an app a person has on a platform, from the portal or an MDM."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_installations"
    )
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="installations")
    version = models.ForeignKey(AppVersion, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    source = models.CharField(_("reported by"), max_length=20, choices=InstallSource.choices)
    installed_at = models.DateTimeField(_("installed"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("installation")
        verbose_name_plural = _("installations")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "app", "platform"], name="installation_once_per_platform"
            )
        ]
        indexes = [models.Index(fields=["app", "version"], name="installation_app_version")]

    def __str__(self) -> str:
        return f"{self.user} – {self.version} ({self.platform})"


class InstallationRequest(models.Model):
    """A person asked the store for a version of an app on a platform: sent to their
    device management's store entry or given the package. Not an installation: only the
    MDM's report makes an `Installation`; until then My apps shows it as requested."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_install_requests"
    )
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="install_requests")
    version = models.ForeignKey(AppVersion, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    requested_at = models.DateTimeField(_("requested"), auto_now=True)

    class Meta:
        verbose_name = _("installation request")
        verbose_name_plural = _("installation requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "app", "platform"], name="install_request_once_per_platform"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.version} ({self.platform}, requested)"


class Rating(models.Model):
    """One 1–5 rating per person per app, with an optional comment; the person may edit it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_ratings"
    )
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="ratings")
    stars = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "app"], name="rating_once_per_person"),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5),
                name="rating_one_to_five",
                violation_error_message=_("A rating is from 1 to 5 stars."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.app}: {self.stars}"
