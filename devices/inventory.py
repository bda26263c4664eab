"""The MDM inventory upsert: devices reported by a mobile-device-management system, matched
by serial number, in one all-or-nothing transaction.

Rules:
- Every item is checked before anything is written; one bad item refuses the batch with a
  report of every bad item (index, field, code, reason) and nothing is written.
- A serial number is matched in its normal form (`validators.normalise_serial`: upper
  case, whitespace removed), so "abc 1" finds the device "ABC1". An unknown one creates a
  device in stock, with an event "From the MDM" by the token's person. A known one gets
  only its inventory fields (IMEI, asset tag, model, MDM identifier, purchase date,
  warranty end) updated, and only those the item carries: never its state, holder or
  department.
- The model is matched by manufacturer and name, case-insensitively; an unknown one is
  created with the item's `category` (a phone when none is given). The category of an
  existing model is never changed.
- An IMEI (15 digits with the Luhn check digit) or asset tag already on another device is
  refused, as is the same serial number, IMEI or asset tag twice in one batch. (An IMEI
  moving from one device to another therefore takes two batches: off, then on.)
- A batch sent again writes nothing and reports every item unchanged.
- A fixed number of queries per batch, whatever its size.
- Two batches creating the same device at the same moment: the database's unique serial
  number decides, and the batch that comes second is refused whole as a Conflict (409) with
  nothing written; sending it again updates the device the first one created.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from devices import services
from devices.choices import DeviceCategory, DeviceState
from devices.models import Device, DeviceModel
from devices.validators import normalise_serial, validate_imei
from portal.errors import Conflict, RuleViolation

MAX_ITEMS = 5000
DEADLOCK = "40P01"  # Postgres' SQLSTATE deadlock_detected
# What an MDM may set on a device it reports; everything else is the desk's.
INVENTORY_FIELDS = ("imei", "asset_tag", "model", "mdm_identifier", "purchase_date", "warranty_end")
LENGTHS = {
    "serial_number": 64,
    "manufacturer": 80,
    "model": 120,
    "asset_tag": 40,
    "mdm_identifier": 120,
}


@dataclass(frozen=True)
class ItemError:
    index: int
    field: str
    code: str
    detail: str

    def as_dict(self) -> dict:
        return {"index": self.index, "field": self.field, "code": self.code, "detail": self.detail}


class InventoryRefused(RuleViolation):
    """At least one item is bad; nothing was written. `errors` names every bad item."""

    def __init__(self, errors: list[ItemError]):
        message = ngettext(
            "%(count)d device is refused; nothing was written.",
            "%(count)d devices are refused; nothing was written.",
            len(errors),
        ) % {"count": len(errors)}
        super().__init__(message)
        self.errors = errors


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    devices: list[Device] = field(default_factory=list, repr=False)


@dataclass
class _Item:
    """One item, normalised: `values` holds only the inventory fields the item carries."""

    index: int
    serial: str
    manufacturer: str
    model_name: str
    category: str
    values: dict


def upsert_inventory(*, by, items: Sequence[Mapping]) -> UpsertResult:
    """Create or update the devices of `items` by serial number, all or nothing."""
    if not items:
        raise RuleViolation(_("Send at least one device."), field="items")
    if len(items) > MAX_ITEMS:
        raise RuleViolation(
            _("Send at most %(count)d devices at a time.") % {"count": MAX_ITEMS}, field="items"
        )
    errors: list[ItemError] = []
    parsed = [_parse(index, item, errors) for index, item in enumerate(items)]
    parsed = [item for item in parsed if item is not None]
    _refuse_repeats(parsed, errors)
    try:
        with transaction.atomic():
            existing = _existing_devices([item.serial for item in parsed])
            _refuse_taken(parsed, existing, "imei", errors)
            _refuse_taken(parsed, existing, "asset_tag", errors)
            if errors:
                raise InventoryRefused(sorted(errors, key=lambda e: (e.index, e.field)))
            models = _models_for(parsed)
            return _write(parsed, existing, models, by=by)
    except IntegrityError:
        raise _conflict() from None
    except OperationalError as error:
        # A deadlock with another batch (Postgres picked this one to fail) is the same race.
        if getattr(error.__cause__, "sqlstate", None) != DEADLOCK:
            raise
        raise _conflict() from None


def _conflict() -> Conflict:
    return Conflict(_("Another change to these devices came first; send the batch again."))


def _text(item: Mapping, name: str) -> str:
    value = item.get(name)
    return "" if value is None else str(value).strip()


def _parse(index: int, item: Mapping, errors: list[ItemError]) -> _Item | None:
    """The item's values, or None with its errors recorded."""
    if not isinstance(item, Mapping):
        errors.append(ItemError(index, "non_field_errors", "invalid", _("Send an object.")))
        return None
    found: list[ItemError] = []

    def refuse(name: str, code: str, message: str) -> None:
        found.append(ItemError(index, name, code, str(message)))

    for name in ("serial_number", "manufacturer", "model"):
        if not _text(item, name):
            refuse(name, "required", _("This field is required."))
    serial = normalise_serial(_text(item, "serial_number"))
    for name, limit in LENGTHS.items():
        if len(serial if name == "serial_number" else _text(item, name)) > limit:
            refuse(name, "max_length", _("At most %(count)d characters.") % {"count": limit})
    category = _text(item, "category") or DeviceCategory.PHONE
    if category not in DeviceCategory.values:
        refuse("category", "invalid_choice", _("Choose phone, tablet, laptop or accessory."))
    values: dict = {}
    if "imei" in item:
        values["imei"] = _text(item, "imei") or None
        if values["imei"]:
            try:
                validate_imei(values["imei"])
            except ValidationError as error:
                refuse("imei", "invalid_imei", error.messages[0])
    if "asset_tag" in item:
        values["asset_tag"] = _text(item, "asset_tag") or None
    if "mdm_identifier" in item:
        values["mdm_identifier"] = _text(item, "mdm_identifier")
    for name in ("purchase_date", "warranty_end"):
        if name in item:
            try:
                values[name] = _date(item[name])
            except ValueError:
                refuse(name, "invalid", _("Write the date as YYYY-MM-DD."))
    errors.extend(found)
    if found:
        return None
    return _Item(
        index=index,
        serial=serial,
        manufacturer=_text(item, "manufacturer"),
        model_name=_text(item, "model"),
        category=category,
        values=values,
    )


def _date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value).strip())


def _refuse_repeats(items: list[_Item], errors: list[ItemError]) -> None:
    """The same serial number, IMEI or asset tag twice in the batch: the later one is bad."""
    for name, key in (
        ("serial_number", lambda item: item.serial),
        ("imei", lambda item: item.values.get("imei")),
        ("asset_tag", lambda item: (item.values.get("asset_tag") or "").upper() or None),
    ):
        first: dict[str, int] = {}
        for item in items:
            value = key(item)
            if not value:
                continue
            if value in first:
                errors.append(
                    ItemError(
                        item.index,
                        name,
                        "duplicate",
                        _("Item %(index)d of this batch has the same value.")
                        % {"index": first[value]},
                    )
                )
            else:
                first[value] = item.index


def _existing_devices(serials: list[str]) -> dict[str, Device]:
    """The known devices by (normal) serial number, row-locked in primary-key order."""
    if not serials:
        return {}
    found = Device.objects.select_for_update().filter(serial_number__in=set(serials))
    return {device.serial_number: device for device in found.order_by("pk")}


def _refuse_taken(
    items: list[_Item], existing: dict[str, Device], name: str, errors: list[ItemError]
) -> None:
    """An IMEI or asset tag that another device (not the item's own) already has."""
    wanted = {item.values[name]: item for item in items if item.values.get(name)}
    if not wanted:
        return
    if name == "asset_tag":
        owners = Device.objects.annotate(_tag=Upper("asset_tag")).filter(
            _tag__in={value.upper() for value in wanted}
        )
        holders = {tag.upper(): pk for tag, pk in owners.values_list("asset_tag", "pk")}
        lookup = {value: holders.get(value.upper()) for value in wanted}
    else:
        lookup = dict(Device.objects.filter(imei__in=wanted).values_list("imei", "pk"))
    message = {
        "imei": _("Another device already has this IMEI."),
        "asset_tag": _("Another device already has this asset tag."),
    }[name]
    for value, item in wanted.items():
        owner = lookup.get(value)
        own = existing.get(item.serial)
        if owner is not None and (own is None or own.pk != owner):
            errors.append(ItemError(item.index, name, "unique", str(message)))


def _model_key(manufacturer: str, name: str) -> tuple[str, str]:
    return manufacturer.upper(), name.upper()


def _models_for(items: list[_Item]) -> dict[tuple[str, str], DeviceModel]:
    """Every model the batch names, by upper-case (manufacturer, name); the unknown created."""
    keys = {_model_key(item.manufacturer, item.model_name) for item in items}

    def known() -> dict[tuple[str, str], DeviceModel]:
        condition = Q()
        for manufacturer in {key[0] for key in keys}:
            condition |= Q(_manufacturer=manufacturer)
        found = DeviceModel.objects.annotate(
            _manufacturer=Upper("manufacturer"), _name=Upper("name")
        ).filter(condition, _name__in={key[1] for key in keys})
        return {_model_key(m.manufacturer, m.name): m for m in found.order_by("pk")}

    models = known()
    missing: dict[tuple[str, str], DeviceModel] = {}
    for item in items:
        key = _model_key(item.manufacturer, item.model_name)
        if key not in models and key not in missing:
            missing[key] = DeviceModel(
                manufacturer=item.manufacturer, name=item.model_name, category=item.category
            )
    if missing:
        # Another batch may create the same model at the same moment: theirs is used then.
        # Inserted in key order, so two batches adding the same new models wait for each
        # other instead of deadlocking.
        DeviceModel.objects.bulk_create(
            [missing[key] for key in sorted(missing)], ignore_conflicts=True
        )
        models = known()
    return models


def _write(items, existing, models, *, by) -> UpsertResult:
    result = UpsertResult()
    now = timezone.now()
    new: list[Device] = []
    changed: list[Device] = []
    changed_fields: set[str] = set()
    for item in items:
        values = {**item.values, "model": models[_model_key(item.manufacturer, item.model_name)]}
        device = existing.get(item.serial)
        if device is None:
            new.append(Device(serial_number=item.serial, state=DeviceState.IN_STOCK, **values))
            continue
        differs = {
            name
            for name, value in values.items()
            if (device.model_id != value.pk if name == "model" else getattr(device, name) != value)
        }
        if differs:
            for name in differs:
                setattr(device, name, values[name])
            device.updated_at = now
            changed.append(device)
            changed_fields |= differs
        else:
            result.unchanged += 1
        result.devices.append(device)
    if new:
        # In serial-number order, so two batches inserting the same serial numbers wait for
        # each other in one order (the later one then fails on the unique serial number)
        # instead of deadlocking.
        new.sort(key=lambda device: device.serial_number)
        services.add_to_stock(new, actor_id=by.pk, comment=_("From the MDM"))
        result.devices.extend(new)
    if changed:
        Device.objects.bulk_update(changed, [*sorted(changed_fields), "updated_at"], batch_size=500)
    result.created = len(new)
    result.updated = len(changed)
    return result
