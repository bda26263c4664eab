"""Shapes of the devices API. Serializers check shape; devices.services checks the rules."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from devices import actions, permissions
from devices.choices import (
    REPAIR_ENDED,
    RETURN_ENDED,
    DeviceCategory,
    DeviceState,
    FaultCategory,
    RepairState,
    ReturnReason,
    ReturnState,
    WipeMethod,
)
from devices.models import Assignment, Device, DeviceModel, RepairCase, ReturnCase
from devices.services import MAX_CANCEL_REASON
from portal.api.serializers import EventSerializer, InvalidSerializer

__all__ = ["EventSerializer", "InvalidSerializer"]


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.SerializerMethodField()

    def get_full_name(self, user) -> str:
        return user.get_full_name() or user.username


class DepartmentBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)


class DeviceModelSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=DeviceCategory.choices, read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = DeviceModel
        fields = ["id", "manufacturer", "name", "category", "category_label", "operating_system"]
        read_only_fields = fields


class DeviceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    serial_number = serializers.CharField(read_only=True)
    asset_tag = serializers.CharField(read_only=True, allow_null=True)
    model = serializers.CharField(source="model.__str__", read_only=True)


DESK_ONLY = _("For the logistics desk; null for everyone else.")


class DeviceSerializer(serializers.ModelSerializer):
    """A device, with the fields the requester may not read (`permissions.device_fields_for`,
    as on the device page and in the CSV export) sent as null."""

    model = DeviceModelSerializer(read_only=True)
    state = serializers.ChoiceField(choices=DeviceState.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    holder = PersonRefSerializer(source="assignee", read_only=True, allow_null=True)
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    under_warranty = serializers.SerializerMethodField()
    mdm_identifier = serializers.CharField(read_only=True, allow_null=True, help_text=DESK_ONLY)

    class Meta:
        model = Device
        fields = [
            "id",
            "serial_number",
            "imei",
            "asset_tag",
            "model",
            "state",
            "state_label",
            "holder",
            "department",
            "purchase_date",
            "warranty_end",
            "under_warranty",
            "mdm_identifier",
        ]
        read_only_fields = fields

    def to_representation(self, device: Device) -> dict:
        data = super().to_representation(device)
        request = self.context.get("request")
        visible = permissions.device_fields_for(request.user) if request is not None else ()
        for name in permissions.DESK_ONLY_DEVICE_FIELDS.intersection(data).difference(visible):
            data[name] = None
        return data

    def get_under_warranty(self, device: Device) -> bool | None:
        """None when the warranty's end is not known."""
        if device.warranty_end is None:
            return None
        return device.warranty_end >= timezone.localdate()


# The fleet list, built straight from `values()` rows: the same answer as DeviceSerializer
# (which documents it), without the field machinery per row and device.
DEVICE_LIST_COLUMNS = (
    "id",
    "serial_number",
    "imei",
    "asset_tag",
    "model_id",
    "model__manufacturer",
    "model__name",
    "model__category",
    "model__operating_system",
    "state",
    "assignee_id",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "department_id",
    "department__name",
    "department__code",
    "purchase_date",
    "warranty_end",
    "mdm_identifier",
)


def device_rows(rows, request) -> list[dict]:
    """DeviceSerializer's answer for `DEVICE_LIST_COLUMNS` rows, the desk-only fields null
    for whoever may not read them."""
    states = {value: str(label) for value, label in DeviceState.choices}
    categories = {value: str(label) for value, label in DeviceCategory.choices}
    hidden = permissions.DESK_ONLY_DEVICE_FIELDS - permissions.device_fields_for(request.user)
    show_mdm = "mdm_identifier" not in hidden
    today = timezone.localdate()
    answer = []
    for row in rows:
        holder = None
        if row["assignee_id"] is not None:
            username = row["assignee__username"]
            full_name = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
            holder = {
                "id": row["assignee_id"],
                "username": username,
                "full_name": full_name or username,
            }
        department = None
        if row["department_id"] is not None:
            department = {
                "id": row["department_id"],
                "name": row["department__name"],
                "code": row["department__code"],
            }
        purchased, warranty_end = row["purchase_date"], row["warranty_end"]
        category = row["model__category"]
        answer.append(
            {
                "id": row["id"],
                "serial_number": row["serial_number"],
                "imei": row["imei"],
                "asset_tag": row["asset_tag"],
                "model": {
                    "id": row["model_id"],
                    "manufacturer": row["model__manufacturer"],
                    "name": row["model__name"],
                    "category": category,
                    "category_label": categories.get(category, category),
                    "operating_system": row["model__operating_system"],
                },
                "state": row["state"],
                "state_label": states.get(row["state"], row["state"]),
                "holder": holder,
                "department": department,
                "purchase_date": purchased.isoformat() if purchased is not None else None,
                "warranty_end": warranty_end.isoformat() if warranty_end is not None else None,
                "under_warranty": warranty_end >= today if warranty_end is not None else None,
                "mdm_identifier": row["mdm_identifier"] if show_mdm else None,
            }
        )
    return answer


class AssignmentSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(source="user", read_only=True)

    class Meta:
        model = Assignment
        fields = ["person", "is_loan", "started_at", "ended_at"]
        read_only_fields = fields


class CaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    state = serializers.CharField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    url = serializers.SerializerMethodField()

    url_name = ""

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, case) -> str:
        url = reverse(self.url_name, kwargs={"pk": case.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class RepairCaseRefSerializer(CaseRefSerializer):
    category = serializers.CharField(read_only=True)
    reported_at = serializers.DateTimeField(read_only=True)
    url_name = "api:repair_case_detail"


class ReturnCaseRefSerializer(CaseRefSerializer):
    reason = serializers.CharField(read_only=True)
    requested_at = serializers.DateTimeField(read_only=True)
    url_name = "api:return_case_detail"


class DeviceDetailSerializer(DeviceSerializer):
    purchase_price = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        coerce_to_string=True,
        read_only=True,
        allow_null=True,
        help_text=_(
            'A decimal number as a string with two decimals, e.g. "4999.00". For the '
            "logistics desk; null for everyone else."
        ),
    )
    notes = serializers.CharField(read_only=True, allow_null=True, help_text=DESK_ONLY)
    open_repair_cases = serializers.SerializerMethodField()
    open_return_cases = serializers.SerializerMethodField()
    assignments = AssignmentSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta(DeviceSerializer.Meta):
        fields = [
            *DeviceSerializer.Meta.fields,
            "purchase_price",
            "notes",
            "open_repair_cases",
            "open_return_cases",
            "assignments",
            "events",
        ]
        read_only_fields = fields

    @extend_schema_field(RepairCaseRefSerializer(many=True))
    def get_open_repair_cases(self, device: Device) -> list[dict]:
        cases = [c for c in device.repair_cases.all() if c.state not in REPAIR_ENDED]
        return RepairCaseRefSerializer(cases, many=True, context=self.context).data

    @extend_schema_field(ReturnCaseRefSerializer(many=True))
    def get_open_return_cases(self, device: Device) -> list[dict]:
        cases = [c for c in device.return_cases.all() if c.state not in RETURN_ENDED]
        return ReturnCaseRefSerializer(cases, many=True, context=self.context).data


# Reporting a fault and asking for a return.


class FaultReportSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=FaultCategory.choices)
    description = serializers.CharField(max_length=4000)
    data_backed_up = serializers.BooleanField(required=False, default=False)
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text=_("Up to 5 photos of the damage (PNG, JPEG or WebP), as multipart/form-data."),
    )


class ReturnRequestSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReturnReason.choices)


# Repair and return cases.


class ActionSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)


class RepairCaseSerializer(serializers.ModelSerializer):
    device = DeviceRefSerializer(read_only=True)
    state = serializers.ChoiceField(choices=RepairState.choices, read_only=True)
    category = serializers.ChoiceField(choices=FaultCategory.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    reported_by = PersonRefSerializer(read_only=True)
    holder = PersonRefSerializer(read_only=True, allow_null=True)
    loaner = DeviceRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = RepairCase
        fields = [
            "id",
            "device",
            "state",
            "state_label",
            "category",
            "category_label",
            "is_security_event",
            "reported_by",
            "holder",
            "loaner",
            "reported_at",
            "returned_at",
        ]
        read_only_fields = fields


class RepairCaseDetailSerializer(RepairCaseSerializer):
    replacement = DeviceRefSerializer(read_only=True, allow_null=True)
    turnaround_seconds = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    events = EventSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(RepairCaseSerializer.Meta):
        fields = [
            *RepairCaseSerializer.Meta.fields,
            "description",
            "data_backed_up",
            "carrier",
            "tracking_number",
            "repair_partner",
            "cost",
            "warranty_covered",
            "replacement",
            "turnaround_seconds",
            "photos",
            "events",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_turnaround_seconds(self, case: RepairCase) -> int | None:
        """Reported -> returned to the user, once it is returned."""
        turnaround = case.turnaround
        return int(turnaround.total_seconds()) if turnaround is not None else None

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_photos(self, case: RepairCase) -> list[str]:
        """Permission-checked addresses of the fault photos."""
        request = self.context.get("request")
        urls = [
            reverse("devices:photo", kwargs={"pk": case.pk, "photo_pk": photo.pk})
            for photo in case.photos.all()
        ]
        return [request.build_absolute_uri(u) if request else u for u in urls]

    @extend_schema_field(ActionSerializer(many=True))
    def get_allowed_actions(self, case: RepairCase) -> list[dict]:
        user = self.context["request"].user
        return [{"name": a.name, "label": str(a.label)} for a in actions.repair_actions(case, user)]


class ReturnCaseSerializer(serializers.ModelSerializer):
    device = DeviceRefSerializer(read_only=True)
    state = serializers.ChoiceField(choices=ReturnState.choices, read_only=True)
    reason = serializers.ChoiceField(choices=ReturnReason.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)
    requested_by = PersonRefSerializer(read_only=True)
    holder = PersonRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ReturnCase
        fields = [
            "id",
            "device",
            "state",
            "state_label",
            "reason",
            "reason_label",
            "requested_by",
            "holder",
            "requested_at",
        ]
        read_only_fields = fields


# The case lists, built straight from the cases (with their devices and people joined):
# the same answers as RepairCaseSerializer and ReturnCaseSerializer, which document them.


def _iso_datetime(value, zone) -> str | None:
    """As serializers.DateTimeField answers: ISO 8601 in the current time zone, UTC as Z."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _person_ref(user) -> dict | None:
    if user is None:
        return None
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.get_full_name() or user.username,
    }


def _device_ref(device) -> dict | None:
    if device is None:
        return None
    return {
        "id": device.pk,
        "serial_number": device.serial_number,
        "asset_tag": device.asset_tag,
        "model": str(device.model),
    }


def repair_case_rows(cases) -> list[dict]:
    states = {value: str(label) for value, label in RepairState.choices}
    categories = {value: str(label) for value, label in FaultCategory.choices}
    zone = timezone.get_current_timezone()
    return [
        {
            "id": case.pk,
            "device": _device_ref(case.device),
            "state": case.state,
            "state_label": states.get(case.state, case.state),
            "category": case.category,
            "category_label": categories.get(case.category, case.category),
            "is_security_event": case.is_security_event,
            "reported_by": _person_ref(case.reported_by),
            "holder": _person_ref(case.holder),
            "loaner": _device_ref(case.loaner),
            "reported_at": _iso_datetime(case.reported_at, zone),
            "returned_at": _iso_datetime(case.returned_at, zone),
        }
        for case in cases
    ]


def return_case_rows(cases) -> list[dict]:
    states = {value: str(label) for value, label in ReturnState.choices}
    reasons = {value: str(label) for value, label in ReturnReason.choices}
    zone = timezone.get_current_timezone()
    return [
        {
            "id": case.pk,
            "device": _device_ref(case.device),
            "state": case.state,
            "state_label": states.get(case.state, case.state),
            "reason": case.reason,
            "reason_label": reasons.get(case.reason, case.reason),
            "requested_by": _person_ref(case.requested_by),
            "holder": _person_ref(case.holder),
            "requested_at": _iso_datetime(case.requested_at, zone),
        }
        for case in cases
    ]


class NotYetChoiceField(serializers.ChoiceField):
    """A choice not made yet (an empty string in the database) is sent as null, so the
    answer is one of the documented values or null."""

    def to_representation(self, value):
        return None if value in ("", None) else super().to_representation(value)


class ReturnCaseDetailSerializer(ReturnCaseSerializer):
    wipe_method = NotYetChoiceField(
        choices=WipeMethod.choices,
        read_only=True,
        allow_null=True,
        help_text=_("Null until the device is wiped."),
    )
    wiped_by = PersonRefSerializer(read_only=True, allow_null=True)
    events = EventSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(ReturnCaseSerializer.Meta):
        fields = [
            *ReturnCaseSerializer.Meta.fields,
            "wipe_method",
            "wipe_certificate",
            "wiped_by",
            "wiped_at",
            "events",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(ActionSerializer(many=True))
    def get_allowed_actions(self, case: ReturnCase) -> list[dict]:
        user = self.context["request"].user
        return [{"name": a.name, "label": str(a.label)} for a in actions.return_actions(case, user)]


class ActionInputSerializer(serializers.Serializer):
    """The union of every action's fields; each action reads only its own (see its form)."""

    comment = serializers.CharField(required=False, allow_blank=True)
    device = serializers.CharField(
        required=False, help_text=_("lend: serial number or asset tag of a device in stock.")
    )
    carrier = serializers.CharField(required=False, help_text=_("ship (repair)."))
    tracking_number = serializers.CharField(required=False, help_text=_("ship (repair)."))
    repair_partner = serializers.CharField(required=False, help_text=_("ship (repair)."))
    outcome = serializers.CharField(
        required=False,
        help_text=_(
            "outcome: repaired, replaced or beyond_repair; dispose: redeployed, refurbished "
            "or recycled."
        ),
    )
    cost = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, help_text=_("outcome.")
    )
    warranty_covered = serializers.BooleanField(
        required=False, allow_null=True, help_text=_("outcome.")
    )
    replacement = serializers.CharField(
        required=False, help_text=_("outcome, when replaced: a device in stock.")
    )
    reason = serializers.CharField(
        required=False,
        max_length=MAX_CANCEL_REASON,
        help_text=_("cancel: why the case is cancelled, one line (required to cancel)."),
    )
    method = serializers.CharField(required=False, help_text=_("wipe: the wipe method."))
    certificate = serializers.CharField(
        required=False, help_text=_("wipe: the certificate number.")
    )


# The MDM inventory upsert.


class InventoryItemSerializer(serializers.Serializer):
    """One device as the MDM knows it. Fields other than these are ignored."""

    serial_number = serializers.CharField(
        max_length=64,
        help_text=_(
            "Matched and stored in upper case without spaces: “c02x 1234” is the device C02X1234."
        ),
    )
    manufacturer = serializers.CharField(max_length=80)
    model = serializers.CharField(max_length=120, help_text=_("The model's name."))
    category = serializers.ChoiceField(
        choices=DeviceCategory.choices,
        required=False,
        help_text=_("Used only when the model is new to the portal; phone when not given."),
    )
    imei = serializers.CharField(max_length=15, required=False, allow_null=True, allow_blank=True)
    asset_tag = serializers.CharField(
        max_length=40, required=False, allow_null=True, allow_blank=True
    )
    mdm_identifier = serializers.CharField(max_length=120, required=False, allow_blank=True)
    purchase_date = serializers.DateField(required=False, allow_null=True)
    warranty_end = serializers.DateField(required=False, allow_null=True)


class InventoryResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class InventoryErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=_("Position of the item in the batch, from 0."))
    field = serializers.CharField()
    code = serializers.CharField(
        help_text=_("required, max_length, invalid, invalid_imei, unique, duplicate…")
    )
    detail = serializers.CharField()


class InventoryBatchErrorSerializer(InvalidSerializer):
    errors = InventoryErrorSerializer(many=True)
