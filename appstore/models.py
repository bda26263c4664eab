"""The app catalogue: apps, their versions, and each version's history."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from appstore.choices import Category, CheckResult, DataClassification, VersionState
from portal.choices import Role, WorkPattern
from portal.models import Department, TransitionEvent


class App(models.Model):
    """An app a department offers its colleagues; what staff see is its published version."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address name"), max_length=140, unique=True)
    summary = models.CharField(_("summary"), max_length=200)
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("app")
        verbose_name_plural = _("apps")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AppVersion(models.Model):
    """One release of an app, reviewed by IT before anyone can install it."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=40)
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

    text = models.CharField(_("check"), max_length=200)
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
