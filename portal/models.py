"""People, departments, API tokens and in-portal notifications."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Concat, Lower, Substr, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.choices import ApiScope, Language, Role, WorkPattern
from portal.roles import is_staff_by_roles

PATH_SEPARATOR = "/"


class Department(models.Model):
    """A unit of the organisation. Departments form a tree (materialised path)."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    cost_centre = models.CharField(_("cost centre"), max_length=30, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=1000, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]
        indexes = [
            models.Index(
                fields=["path"], name="department_path_like", opclasses=["varchar_pattern_ops"]
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")),
                name="department_not_own_parent",
                violation_error_message=_("A department cannot be its own parent."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Keep the materialised path (and the paths below it) in step with `parent`."""
        old_path = self.path
        if not self.pk:
            super().save(*args, **kwargs)
            kwargs = {k: v for k, v in kwargs.items() if k != "force_insert"}
        self.path = self.computed_path()
        self.depth = self.path.count(PATH_SEPARATOR) - 2
        super().save(*args, **{**kwargs, "force_insert": False})
        if old_path and old_path != self.path:
            Department.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(
                    models.Value(self.path),
                    Substr("path", len(old_path) + 1),
                ),
                depth=models.F("depth") + (self.depth - old_path.count(PATH_SEPARATOR) + 2),
            )

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A department cannot sit under itself.")})
            ancestor = ancestor.parent

    def computed_path(self) -> str:
        prefix = self.parent.path if self.parent_id else PATH_SEPARATOR
        return f"{prefix}{self.pk}{PATH_SEPARATOR}"

    def subtree(self) -> models.QuerySet[Department]:
        """This department and every department below it."""
        return Department.objects.filter(path__startswith=self.path)

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)]


class User(AbstractUser):
    """A member of staff. Custom from the first migration."""

    employee_number = models.CharField(
        _("employee number"), max_length=30, unique=True, null=True, blank=True
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    line_manager = models.ForeignKey(
        "self",
        verbose_name=_("line manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    work_pattern = models.CharField(
        _("work pattern"), max_length=20, choices=WorkPattern.choices, default=WorkPattern.OFFICE
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            # Case-insensitive prefix search (admin `^field`, API search) stays indexed.
            *[
                models.Index(
                    OpClass(Upper(field), name="varchar_pattern_ops"), name=f"user_{field}_prefix"
                )
                for field in ("username", "email", "first_name", "last_name")
            ],
            models.Index(fields=["last_name", "first_name", "id"], name="user_sort_name"),
            models.Index(fields=["department", "is_active"], name="user_department_active"),
            # The people who left (a few hundred of 30,000), with the names the desk's
            # queue shows beside the devices they still hold: read from the index alone.
            models.Index(
                fields=["id"],
                include=["first_name", "last_name", "username"],
                condition=models.Q(is_active=False),
                name="user_inactive",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(line_manager=models.F("id")),
                name="user_not_own_line_manager",
                violation_error_message=_("A person cannot be their own line manager."),
            ),
            # The desk assigns by email and people sign in with it: one person per address.
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique",
                violation_error_message=_("Another person already has this email address."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> set[str]:
        """Role slugs from the prefetched or cached groups."""
        if not hasattr(self, "_role_names"):
            prefetched = getattr(self, "_prefetched_objects_cache", {}).get("groups")
            if prefetched is not None:
                self._role_names = {group.name for group in prefetched}
            else:
                self._role_names = set(self.groups.values_list("name", flat=True))
        return self._role_names

    @classmethod
    def load_role_names(cls, people) -> None:
        """Fill `role_names` of many people in one query (for batches)."""
        people = [person for person in people if not hasattr(person, "_role_names")]
        names: dict[int, set[str]] = {person.pk: set() for person in people}
        rows = cls.groups.through.objects.filter(user_id__in=names).values_list(
            "user_id", "group__name"
        )
        for user_id, name in rows:
            names[user_id].add(name)
        for person in people:
            person._role_names = names[person.pk]

    def has_role(self, role: Role | str) -> bool:
        return self.is_superuser and role == Role.ADMINISTRATOR or str(role) in self.role_names

    @property
    def requires_mfa(self) -> bool:
        """Whoever reaches the admin, or holds a staff role however it was given
        (reviewers, logistics, administrators), must use a second factor."""
        return self.is_staff or is_staff_by_roles(self)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for an integration (MDM, HR feed). Only its hash is stored."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        User, verbose_name=_("acts as"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(_("key starts with"), max_length=8, editable=False, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    scopes = ArrayField(
        models.CharField(max_length=40, choices=ApiScope.choices),
        verbose_name=_("scopes"),
        blank=True,
        default=list,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [GinIndex(fields=["scopes"], name="apitoken_scopes")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate_key() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def has_scope(self, scope: ApiScope | str) -> bool:
        return str(scope) in self.scopes


class Notification(models.Model):
    """Something a person is told in the portal, and by email.

    `key` names the event; the unique (recipient, key) pair makes "each person at most
    once per event" a database guarantee.
    """

    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(_("event"), max_length=200)
    # The piece of work the notification asks for ("appversion:12"), if any: once it is
    # done, the notifications about it are marked read for everyone (notifications.resolve).
    subject = models.CharField(_("about"), max_length=100, blank=True, default="")
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("email sent"), null=True, blank=True)
    email_failed_at = models.DateTimeField(_("email failed"), null=True, blank=True)
    # The outbox: an email is due until it is sent or has failed (see notifications).
    email_due = models.BooleanField(_("email due"), default=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                name="notification_once_per_event",
                violation_error_message=_("This person was already told about this event."),
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["created_at"],
                condition=models.Q(
                    email_due=True, email_sent_at__isnull=True, email_failed_at__isnull=True
                ),
                name="notification_email_pending",
            ),
            models.Index(
                fields=["subject"],
                condition=models.Q(read_at__isnull=True) & ~models.Q(subject=""),
                name="notification_open_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.url or reverse("portal:notifications")


class OutboundEmail(models.Model):
    """An email queued for the worker. The row makes sending idempotent and auditable.

    The text is kept only until the email is sent or has failed for good: a sign-in email
    carries a password-reset link, which must not stay readable in the database.
    """

    to = ArrayField(models.EmailField(), verbose_name=_("to"))
    from_email = models.CharField(_("from"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    html_body = models.TextField(_("HTML text"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outbound_email_pending",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class TransitionEvent(models.Model):
    """One state change of a workflow object: who, when, from, to, why.

    Each app's event model inherits this and adds the foreign key to its object. The rows
    are the audit trail and the source of the KPIs (time to publish, turnaround): they
    are written by `portal.workflow` only and never edited.
    """

    actor = models.ForeignKey(
        User, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_state = models.CharField(_("from"), max_length=40)
    to_state = models.CharField(_("to"), max_length=40)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"
