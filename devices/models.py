"""The device fleet: models, devices, who held them, and repair and return cases."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from devices.choices import (
    REPAIR_ENDED,
    RETURN_ENDED,
    DeviceCategory,
    DeviceState,
    FaultCategory,
    ImportState,
    RepairState,
    ReturnReason,
    ReturnState,
    WipeMethod,
)
from devices.validators import normalise_serial, validate_imei
from portal.models import Department, TransitionEvent
from portal.storage import private_storage

# A case in one of these states waits only for the desk to close it: the desk's queue
# lists it after the cases that still need work.
REPAIR_FINISHED = (RepairState.RETURNED_TO_USER, *REPAIR_ENDED)
RETURN_FINISHED = (
    ReturnState.REDEPLOYED,
    ReturnState.REFURBISHED,
    ReturnState.RECYCLED,
    *RETURN_ENDED,
)


def work_first(finished) -> Case:
    """0 for a case that still needs work, 1 for one waiting only to be closed."""
    return Case(When(state__in=finished, then=Value(1)), default=Value(0))


def open_work_index(finished, ended, opened_at: str, name: str) -> models.Index:
    """The desk queue's order (work first, newest first) over the open cases only."""
    return models.Index(
        work_first(finished),
        F(opened_at).desc(),
        F("id").desc(),
        name=name,
        condition=~Q(state__in=ended),
    )


HELD = (DeviceState.ASSIGNED, DeviceState.LOANED)


class DeviceModel(models.Model):
    manufacturer = models.CharField(_("manufacturer"), max_length=80)
    name = models.CharField(_("model"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=DeviceCategory.choices)
    operating_system = models.CharField(_("operating system"), max_length=40, blank=True)
    release_year = models.PositiveSmallIntegerField(_("release year"), null=True, blank=True)
    embodied_co2e_kg = models.DecimalField(
        _("embodied CO2e (kg)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    default_repair_partner = models.CharField(
        _("default repair partner"), max_length=120, blank=True
    )

    class Meta:
        verbose_name = _("device model")
        verbose_name_plural = _("device models")
        ordering = ["manufacturer", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "name"],
                name="devicemodel_unique_name",
                violation_error_message=_("This model already exists."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.name}"


class SerialNumberField(models.CharField):
    """A serial number, always in its normal form (`validators.normalise_serial`): what a
    form, a save, a bulk write or a look-up (`serial_number="abc"`) gets is normalised
    first, so "abc" and " ABC" are one device everywhere."""

    def to_python(self, value):
        return normalise_serial(super().to_python(value))

    def get_prep_value(self, value):
        return normalise_serial(super().get_prep_value(value))

    def pre_save(self, model_instance, add):
        value = normalise_serial(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value


class Device(models.Model):
    """One managed device. Its state and holder change only through devices.services.
    Its serial number is stored in its normal form only (upper case, no whitespace), and
    an asset tag is unique whatever its case: the database refuses anything else."""

    serial_number = SerialNumberField(_("serial number"), max_length=64, unique=True)
    imei = models.CharField(
        _("IMEI"), max_length=15, unique=True, null=True, blank=True, validators=[validate_imei]
    )
    # Unique whatever the case: `device_asset_tag_unique_ci` below.
    asset_tag = models.CharField(_("asset tag"), max_length=40, null=True, blank=True)
    model = models.ForeignKey(
        DeviceModel, verbose_name=_("model"), on_delete=models.PROTECT, related_name="devices"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=DeviceState.choices, default=DeviceState.IN_STOCK
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("held by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    purchase_price = models.DecimalField(
        _("purchase price"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    warranty_end = models.DateField(_("warranty ends"), null=True, blank=True)
    mdm_identifier = models.CharField(_("MDM identifier"), max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["serial_number"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state__in=HELD) | Q(assignee__isnull=False),
                name="device_held_has_holder",
                violation_error_message=_("An assigned or loaned device needs its holder."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=HELD)
                | Q(state=DeviceState.IN_REPAIR)
                | Q(assignee__isnull=True),
                name="device_unheld_has_no_holder",
                violation_error_message=_("A device in stock, returned or retired has no holder."),
            ),
            models.CheckConstraint(
                condition=Q(serial_number=Upper("serial_number")) & ~Q(serial_number__regex=r"\s"),
                name="device_serial_number_normal",
                violation_error_message=_(
                    "A serial number is stored in upper case without spaces."
                ),
            ),
            models.UniqueConstraint(
                Upper("asset_tag"),
                name="device_asset_tag_unique_ci",
                violation_error_message=_("Another device already has this asset tag."),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "department"], name="device_state_department"),
            models.Index(fields=["warranty_end"], name="device_warranty_end"),
            models.Index(fields=["model", "state"], name="device_model_state"),
            models.Index(fields=["purchase_date"], name="device_purchase_date"),
            # Case-insensitive prefix search by serial number, IMEI and asset tag stays indexed.
            *[
                models.Index(
                    OpClass(Upper(field), name="varchar_pattern_ops"),
                    name=f"device_{field}_prefix",
                )
                for field in ("serial_number", "imei", "asset_tag")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.model} ({self.serial_number})"


class DeviceEvent(TransitionEvent):
    """A change of state or holder on the device's timeline."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("device event")
        verbose_name_plural = _("device events")


class Assignment(models.Model):
    """Who held a device from when to when (the open one has no end)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="device_assignments"
    )
    is_loan = models.BooleanField(_("loan"), default=False)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("to"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["device"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_open_per_device",
                violation_error_message=_("The device is already held by someone."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.device} – {self.user}"


def _department_when_opened():
    """The device's department when the case was opened: its line managers (and those of
    the departments above it) are people of the case, whoever holds the device later."""
    return models.ForeignKey(
        Department,
        verbose_name=_("department when opened"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )


def _line_manager_when_opened():
    """The holder's line manager when the case was opened, a person of the case too."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("line manager when opened"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class RepairCase(models.Model):
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="repair_cases")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="repair_cases"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who the case belongs to is recorded when it is opened (devices.selectors reads it).
    department = _department_when_opened()
    line_manager = _line_manager_when_opened()
    category = models.CharField(_("fault"), max_length=20, choices=FaultCategory.choices)
    description = models.TextField(_("what happened"))
    data_backed_up = models.BooleanField(_("data is backed up"), default=False)
    state = models.CharField(
        _("state"), max_length=20, choices=RepairState.choices, default=RepairState.REPORTED
    )
    is_security_event = models.BooleanField(_("security event"), default=False)
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=80, blank=True)
    repair_partner = models.CharField(_("repair partner"), max_length=120, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, null=True, blank=True)
    warranty_covered = models.BooleanField(_("covered by warranty"), null=True, blank=True)
    loaner = models.ForeignKey(
        Device,
        verbose_name=_("loaner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans",
    )
    replacement = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported"), auto_now_add=True)
    returned_at = models.DateTimeField(_("returned to the user"), null=True, blank=True)

    class Meta:
        verbose_name = _("repair case")
        verbose_name_plural = _("repair cases")
        ordering = ["-reported_at"]
        indexes = [
            models.Index(fields=["state", "reported_at"], name="repaircase_queue"),
            open_work_index(REPAIR_FINISHED, REPAIR_ENDED, "reported_at", "repaircase_open_work"),
            # The desk queue's "lost or stolen": the few open security events, newest first.
            models.Index(
                F("reported_at").desc(),
                F("id").desc(),
                name="repaircase_open_security",
                condition=Q(is_security_event=True) & ~Q(state__in=REPAIR_FINISHED),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.device}"

    @property
    def turnaround(self):
        """Reported -> returned to the user, once it is returned."""
        return self.returned_at - self.reported_at if self.returned_at else None

    @property
    def loaner_out(self) -> bool:
        """A loaner was lent and has not come back (it does when the device is returned,
        or when the case is cancelled)."""
        return (
            bool(self.loaner_id)
            and self.returned_at is None
            and self.state != RepairState.CANCELLED
        )


class RepairCaseEvent(TransitionEvent):
    case = models.ForeignKey(RepairCase, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("repair case event")
        verbose_name_plural = _("repair case events")


class ReturnCase(models.Model):
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="return_cases")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="return_cases"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    department = _department_when_opened()
    line_manager = _line_manager_when_opened()
    reason = models.CharField(_("reason"), max_length=20, choices=ReturnReason.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=ReturnState.choices, default=ReturnState.REQUESTED
    )
    wipe_method = models.CharField(
        _("wipe method"), max_length=30, choices=WipeMethod.choices, blank=True
    )
    wipe_certificate = models.CharField(_("wipe certificate number"), max_length=80, blank=True)
    wiped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    wiped_at = models.DateTimeField(_("wiped"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        verbose_name = _("return case")
        verbose_name_plural = _("return cases")
        ordering = ["-requested_at"]
        indexes = [
            open_work_index(RETURN_FINISHED, RETURN_ENDED, "requested_at", "returncase_open_work")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    state__in=[
                        ReturnState.REQUESTED,
                        ReturnState.IN_TRANSIT,
                        ReturnState.RECEIVED,
                        ReturnState.CANCELLED,
                    ]
                )
                | (~Q(wipe_certificate="") & Q(wiped_at__isnull=False)),
                name="returncase_wipe_certified",
                violation_error_message=_("A device leaves the desk only with a wipe certificate."),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.device}"


class ReturnCaseEvent(TransitionEvent):
    case = models.ForeignKey(ReturnCase, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("return case event")
        verbose_name_plural = _("return case events")


def _photo_path(instance, filename: str) -> str:
    return f"repair-photos/{instance.case_id}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class RepairPhoto(models.Model):
    """A photo of the fault. Private: served only through a permission-checked view."""

    case = models.ForeignKey(RepairCase, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=_photo_path, storage=private_storage)
    # A small WebP for the case pages, made by a task after the report is saved.
    thumbnail = models.FileField(
        _("thumbnail"), upload_to=_photo_path, storage=private_storage, blank=True
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fault photo")
        verbose_name_plural = _("fault photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.case} – {self.pk}"


def _import_path(instance, filename: str) -> str:
    return f"device-imports/{uuid.uuid4().hex}.csv"


class DeviceImport(models.Model):
    """One CSV import of devices, run by a Celery task that reports its progress here."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    file = models.FileField(_("CSV file"), upload_to=_import_path, storage=private_storage)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    import_good_rows = models.BooleanField(
        _("import the good rows even if some are bad"), default=False
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ImportState.choices, default=ImportState.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    created_count = models.PositiveIntegerField(_("devices created"), default=0)
    errors = models.JSONField(_("bad rows"), default=list, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("device import")
        verbose_name_plural = _("device imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name or f"#{self.pk}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
