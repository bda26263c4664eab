"""The devices API: the fleet as the requester sees it, fault reports and return requests,
repair and return cases with the desk's actions, and the MDM inventory upsert.

Querysets derive from the acting user through devices.selectors; what is out of their
scope is a 404. Every write goes through devices.services (the case actions through the
one action table of devices.actions that the pages and the admin use too)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from devices import actions, inventory, permissions, selectors, services
from devices.api import serializers as s
from devices.filters import DeviceFilter
from devices.models import Device, RepairCase, ReturnCase
from devices.workflow import REPAIR_WORKFLOW, RETURN_WORKFLOW
from portal.api.pagination import CursorPagination
from portal.api.parsers import FormParser, JSONParser, MultiPartParser
from portal.api.permissions import TokenHasScope, token_scope
from portal.api.serializers import ErrorSerializer
from portal.choices import ApiScope
from portal.errors import NotFound, NotPermitted

TAG = "Devices"
ERRORS = {401: ErrorSerializer, 403: ErrorSerializer}
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not found, or not visible to you.")
CONFLICT = OpenApiResponse(ErrorSerializer, description="The state does not allow this.")
INVALID = OpenApiResponse(s.InvalidSerializer, description="Invalid input; see `fields`.")
TOKEN_ONLY = [{"apiToken": []}]
REFUSAL_CODES = {
    400: "invalid",
    403: "permission_denied",
    404: "not_found",
    409: "illegal_transition",
}


@extend_schema_view(
    list=extend_schema(
        tags=[TAG],
        summary="Devices you may see",
        description=(
            "An employee gets the devices they hold, a line manager also their department's, "
            "the logistics desk every device. Filters as on the fleet page. Ordered by "
            "serial number and paged with cursors: follow `next` and `previous`."
        ),
        responses={200: s.DeviceSerializer(many=True), 400: INVALID, **ERRORS},
    ),
    retrieve=extend_schema(
        tags=[TAG],
        summary="One device with its open cases, holders and timeline",
        responses={200: s.DeviceDetailSerializer, 404: NOT_FOUND, **ERRORS},
    ),
)
class DeviceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, TokenHasScope]
    required_scopes = {"read": ApiScope.DEVICES_READ, "write": ApiScope.DEVICES_WRITE}
    filter_backends = [DjangoFilterBackend]
    filterset_class = DeviceFilter
    lookup_value_regex = r"\d+"
    pagination_class = CursorPagination
    cursor_ordering = ("serial_number",)  # unique and indexed

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Device.objects.none()
        return selectors.fleet_list(selectors.devices_visible_to(self.request.user))

    def get_serializer_class(self):
        return s.DeviceDetailSerializer if self.action == "retrieve" else s.DeviceSerializer

    def filter_queryset(self, queryset):
        """Without any of the filters in the query, the filter set is not built at all."""
        if self.request.query_params.keys().isdisjoint(self.filterset_class.base_filters):
            return queryset
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        """As DeviceSerializer documents it, built from the columns the list shows."""
        devices = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(devices.values(*s.DEVICE_LIST_COLUMNS))
        return self.get_paginated_response(s.device_rows(page, request))

    def get_object(self):
        device = selectors.device_page(self.request.user, int(self.kwargs["pk"]))
        if device is None:
            raise NotFound(_("No such device."))
        return device

    def _visible_device(self) -> Device:
        device = selectors.devices_visible_to(self.request.user).filter(pk=self.kwargs["pk"])
        found = device.first()
        if found is None:
            raise NotFound(_("No such device."))
        return found

    @extend_schema(
        tags=[TAG],
        summary="Report a fault on your device (or your department's)",
        description=(
            "JSON, or multipart/form-data to add up to 5 photos. Lost or stolen alerts the "
            "logistics desk at once as a security event."
        ),
        request={
            "multipart/form-data": s.FaultReportSerializer,
            "application/json": s.FaultReportSerializer,
        },
        responses={
            201: s.RepairCaseDetailSerializer,
            400: INVALID,
            404: NOT_FOUND,
            **ERRORS,
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="report-fault",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def report_fault(self, request, pk=None):
        device = self._visible_device()
        body = s.FaultReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.report_fault(by=request.user, device_id=device.pk, **body.validated_data)
        fresh = selectors.repair_case_page(request.user, case.pk)
        return Response(
            s.RepairCaseDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        tags=[TAG],
        summary="Ask to return your device (or, for a leaver, your department's)",
        request=s.ReturnRequestSerializer,
        responses={
            201: s.ReturnCaseDetailSerializer,
            400: INVALID,
            404: NOT_FOUND,
            **ERRORS,
        },
    )
    @action(detail=True, methods=["post"], url_path="request-return")
    def request_return(self, request, pk=None):
        device = self._visible_device()
        body = s.ReturnRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.request_return(
            by=request.user, device_id=device.pk, reason=body.validated_data["reason"]
        )
        fresh = selectors.return_case_page(request.user, case.pk)
        return Response(
            s.ReturnCaseDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


# Repair and return cases.


class _CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, TokenHasScope]
    required_scopes = ApiScope.DEVICES_READ
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = r"\d+"
    pagination_class = CursorPagination
    cursor_ordering: tuple[str, ...] = ("-reported_at", "-id")
    model: type = RepairCase
    list_serializer: type = s.RepairCaseSerializer
    detail_serializer: type = s.RepairCaseDetailSerializer
    not_found = ""

    def visible(self):
        raise NotImplementedError

    def page(self, pk: int):
        raise NotImplementedError

    def rows(self, cases) -> list[dict]:
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.visible()

    def get_serializer_class(self):
        return self.detail_serializer if self.action == "retrieve" else self.list_serializer

    def list(self, request, *args, **kwargs):
        """As the list serializer documents it, built without its field machinery."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.rows(page))

    def get_object(self):
        case = self.page(int(self.kwargs["pk"]))
        if case is None:
            raise NotFound(str(self.not_found))
        return case


@extend_schema_view(
    list=extend_schema(
        tags=[TAG],
        summary="Repair cases you may see",
        description=(
            "The desk sees every case; anyone else the cases they belong to, as they were "
            "when the case was opened: the reporter, the holder then, the holder's line "
            "manager then and the line managers of the device's department then. A later "
            "holder of the device (or their manager) does not see its earlier cases. Newest "
            "first and paged with cursors: follow `next` and `previous`."
        ),
        responses={200: s.RepairCaseSerializer(many=True), 400: INVALID, **ERRORS},
    ),
    retrieve=extend_schema(
        tags=[TAG],
        summary="One repair case with its timeline and the actions open to you",
        responses={200: s.RepairCaseDetailSerializer, 404: NOT_FOUND, **ERRORS},
    ),
)
class RepairCaseViewSet(_CaseViewSet):
    filterset_fields = ["state", "is_security_event"]
    not_found = gettext_lazy("No such repair case.")

    def visible(self):
        return (
            selectors.repair_cases_visible_to(self.request.user)
            .select_related("device__model", "reported_by", "holder", "loaner__model")
            .order_by("-reported_at", "-pk")
        )

    def page(self, pk: int):
        return selectors.repair_case_page(self.request.user, pk)

    def rows(self, cases) -> list[dict]:
        return s.repair_case_rows(cases)


@extend_schema_view(
    list=extend_schema(
        tags=[TAG],
        summary="Return cases you may see",
        description=(
            "As for repair cases: the desk sees every case; anyone else the cases they "
            "belong to (the requester, and the holder, their line manager and the line "
            "managers of the device's department when the return was requested). Newest "
            "first and paged with cursors: follow `next` and `previous`."
        ),
        responses={200: s.ReturnCaseSerializer(many=True), 400: INVALID, **ERRORS},
    ),
    retrieve=extend_schema(
        tags=[TAG],
        summary="One return case with its timeline and the actions open to you",
        responses={200: s.ReturnCaseDetailSerializer, 404: NOT_FOUND, **ERRORS},
    ),
)
class ReturnCaseViewSet(_CaseViewSet):
    model = ReturnCase
    cursor_ordering = ("-requested_at", "-id")
    list_serializer = s.ReturnCaseSerializer
    detail_serializer = s.ReturnCaseDetailSerializer
    filterset_fields = ["state"]
    not_found = gettext_lazy("No such return case.")

    def visible(self):
        return (
            selectors.return_cases_visible_to(self.request.user)
            .select_related("device__model", "requested_by", "holder")
            .order_by("-requested_at", "-pk")
        )

    def page(self, pk: int):
        return selectors.return_case_page(self.request.user, pk)

    def rows(self, cases) -> list[dict]:
        return s.return_case_rows(cases)


def _may_ever(case_action, workflow, case, user) -> bool:
    """Whether the workflow's guards let this person take this action in any state (so
    a person who may never take it is refused before their input is read)."""
    if not case_action.targets:  # lending a loaner is the desk's
        return permissions.is_desk(user)
    return any(
        t.allowed(user, case) for t in workflow.table.values() if t.target in case_action.targets
    )


def _refused(form, status_code: int) -> Response:
    """The one error form, from the action's refused form."""
    fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    first = next(iter(fields.values()), [_("Invalid input.")])[0]
    body = {"detail": first, "code": REFUSAL_CODES.get(status_code, "invalid")}
    if status_code == 400:
        body["fields"] = fields
    return Response(body, status=status_code)


def _action_schema(table: dict, detail, kind: str):
    return extend_schema(
        tags=[TAG],
        summary=f"Take an action on a {kind} case",
        description=(
            "`name` is one of the case's actions (see `allowed_actions` in the case). Each "
            "reads its own fields of the body: "
            + "; ".join(f"`{name}`: {a.label}" for name, a in table.items())
            + ". Refused with 400 (bad input, with `fields`), 403 (not yours to take), "
            "404 (case or action unknown) or 409 (the case's state does not allow it)."
        ),
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(table)),
        ],
        request=s.ActionInputSerializer,
        responses={
            200: detail,
            400: INVALID,
            404: NOT_FOUND,
            409: CONFLICT,
            **ERRORS,
        },
    )


class _CaseActionView(GenericAPIView):
    permission_classes = [IsAuthenticated, TokenHasScope]
    required_scopes = ApiScope.DEVICES_WRITE
    filter_backends = []
    pagination_class = None
    serializer_class = s.ActionInputSerializer
    table: dict = {}
    workflow = REPAIR_WORKFLOW
    detail_serializer: type = s.RepairCaseDetailSerializer

    def page(self, pk: int):
        raise NotImplementedError

    def post(self, request, pk: int, name: str):
        case_action = self.table.get(name)
        case = self.page(pk)
        if case is None or case_action is None:
            raise NotFound(_("No such case or action."))
        if not _may_ever(case_action, self.workflow, case, request.user):
            raise NotPermitted(_("You may not do this."))
        data = request.data if hasattr(request.data, "get") else {}
        form, status_code = actions.perform(case_action, by=request.user, case_id=pk, data=data)
        if status_code != 200:
            return _refused(form, status_code)
        fresh = self.page(pk)
        return Response(self.detail_serializer(fresh, context=self.get_serializer_context()).data)


class RepairCaseActionView(_CaseActionView):
    table = actions.REPAIR_ACTIONS
    detail_serializer = s.RepairCaseDetailSerializer

    def page(self, pk: int):
        return selectors.repair_case_page(self.request.user, pk)

    @_action_schema(actions.REPAIR_ACTIONS, s.RepairCaseDetailSerializer, "repair")
    def post(self, request, pk: int, name: str):
        return super().post(request, pk, name)


class ReturnCaseActionView(_CaseActionView):
    table = actions.RETURN_ACTIONS
    workflow = RETURN_WORKFLOW
    detail_serializer = s.ReturnCaseDetailSerializer

    def page(self, pk: int):
        return selectors.return_case_page(self.request.user, pk)

    @_action_schema(actions.RETURN_ACTIONS, s.ReturnCaseDetailSerializer, "return")
    def post(self, request, pk: int, name: str):
        return super().post(request, pk, name)


# The MDM inventory upsert.


def _batch_rejected(refused: inventory.InventoryRefused) -> Response:
    errors = [error.as_dict() for error in refused.errors]
    fields: dict[str, dict[str, list[str]]] = {}
    for error in errors:
        fields.setdefault(str(error["index"]), {}).setdefault(error["field"], []).append(
            error["detail"]
        )
    body = {"detail": refused.message, "code": "invalid", "fields": fields, "errors": errors}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class InventoryView(GenericAPIView):
    """MDM systems report the devices they manage; see devices.inventory for the rules."""

    permission_classes = [IsAuthenticated, token_scope(ApiScope.INVENTORY_WRITE)]
    parser_classes = [JSONParser]
    serializer_class = s.InventoryItemSerializer
    filter_backends = []
    pagination_class = None
    item_errors = True  # every 400 has `errors`

    @extend_schema(
        tags=[TAG],
        summary="Upsert the device inventory by serial number (MDM)",
        description=(
            "Needs an API token with the scope `inventory:write`; a session is refused. A JSON "
            f"list of at most {inventory.MAX_ITEMS} devices, matched by serial number "
            "(case-insensitively). A new serial number creates a device in stock; a known one "
            "gets only the fields the item carries among IMEI, asset tag, model, MDM "
            "identifier, purchase date and warranty end (never its state or holder). A model "
            "unknown by manufacturer and name is created with `category` (phone when not "
            "given). All or nothing: one bad item and the answer is 400 with an error per bad "
            "item and nothing is written. The same batch again writes nothing and answers "
            "every device unchanged."
        ),
        auth=TOKEN_ONLY,
        request=s.InventoryItemSerializer(many=True),
        responses={
            200: s.InventoryResultSerializer,
            400: OpenApiResponse(
                s.InventoryBatchErrorSerializer,
                description="At least one item is bad: nothing is written; `errors` names each.",
            ),
            409: OpenApiResponse(
                ErrorSerializer, description="Another batch changed these devices first."
            ),
            413: OpenApiResponse(ErrorSerializer, description="The body is larger than 10 MB."),
            **ERRORS,
        },
    )
    def post(self, request):
        items = request.data
        if not isinstance(items, list):
            raise ValidationError({"non_field_errors": [_("Send a JSON list of devices.")]})
        try:
            result = inventory.upsert_inventory(by=request.user, items=items)
        except inventory.InventoryRefused as refused:
            return _batch_rejected(refused)
        return Response(
            {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
