"""The app store API: the catalogue as the requester sees it, the catalogue of an audience
group for MDM systems, installation reports, and the owners' submissions.

Querysets derive from the acting user; what is out of their scope is a 404."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
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
from rest_framework.views import APIView

from appstore import cache, selectors, services
from appstore.api import serializers as s
from appstore.choices import VersionState
from appstore.filters import CatalogueFilter
from appstore.models import App, AppVersion, AppVersionEvent, ChecklistAnswer
from appstore.packages import package_response
from portal.api.parsers import JSONParser
from portal.api.permissions import TokenHasScope, token_scope
from portal.api.serializers import ErrorSerializer
from portal.choices import ApiScope
from portal.errors import NotFound
from portal.models import ApiToken

TAG = "App store"
ERRORS = {401: ErrorSerializer, 403: ErrorSerializer}
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not found, or not visible to you.")
CONFLICT = OpenApiResponse(ErrorSerializer, description="The state does not allow this.")
INVALID = OpenApiResponse(s.InvalidSerializer, description="Invalid input; see `fields`.")
TOO_LARGE = OpenApiResponse(ErrorSerializer, description="The body is larger than allowed.")
BATCH_REJECTED = OpenApiResponse(
    s.InstallationBatchErrorSerializer,
    description=(
        "Nothing is written: `errors` names each bad item (empty when the batch as a whole "
        "is refused, e.g. more than 500 items or a body that is not JSON)."
    ),
)
BATCH_CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description=(
        "Nothing is written: another batch about the same installations came at the same "
        "moment. Send the batch again."
    ),
)
# The MDM endpoints take an API token only (a session is answered 403).
TOKEN_ONLY = [{"apiToken": []}]
LIST_SECONDS = 10 * 60  # many different searches: their pages age out sooner
REVIEWER_STATES = [
    VersionState.IN_REVIEW,
    VersionState.CHANGES_REQUESTED,
    VersionState.APPROVED,
    VersionState.REJECTED,
    VersionState.PUBLISHED,
]


@extend_schema_view(
    list=extend_schema(
        tags=[TAG],
        summary="Published catalogue as you see it",
        description=(
            "By name, or with `q` by relevance. A short list (the apps of your audience), "
            "paged by number with a `count`."
        ),
        responses={200: s.AppListSerializer(many=True), 400: INVALID, **ERRORS},
    ),
    retrieve=extend_schema(
        tags=[TAG],
        summary="One app with its released versions",
        responses={200: s.AppDetailSerializer, 404: NOT_FOUND, **ERRORS},
    ),
)
class AppViewSet(viewsets.ReadOnlyModelViewSet):
    """The published apps whose audience includes the requester (session or token)."""

    permission_classes = [IsAuthenticated, TokenHasScope]
    required_scopes = ApiScope.APPS_READ
    filter_backends = [DjangoFilterBackend]
    filterset_class = CatalogueFilter
    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return App.objects.none()
        return selectors.catalogue(self.request.user)

    def get_serializer_class(self):
        return s.AppDetailSerializer if self.action == "retrieve" else s.AppListSerializer

    def filter_queryset(self, queryset):
        """Without any of the filters in the query, the filter set is not built at all."""
        if self.request.query_params.keys().isdisjoint(self.filterset_class.base_filters):
            return queryset
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        """The same for everyone of an audience asking the same address: kept per
        audience, address and language at the catalogue and cards versions, as the
        search page is. A refused query (a bad filter or page) raises and is not kept."""
        asked = cache.digest(request.build_absolute_uri())
        key = selectors.audience_cache_key(
            request.user, f"api-apps-v1-{cache.cards_version()}-{get_language()}-{asked}"
        )
        return Response(cache.cached(key, lambda: self._page(request).data, timeout=LIST_SECONDS))

    def _page(self, request):
        """As AppListSerializer documents it, built from the columns the list shows: in
        the search's order (relevance) or by name, the id last so that pages are stable."""
        apps = self.filter_queryset(self.get_queryset())
        order = apps.query.order_by or ("name",)
        rows = apps.order_by(*order, "pk").values(*s.APP_LIST_COLUMNS)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.app_rows(page, request))

    def get_object(self):
        app = selectors.app_page(self.request.user, self.kwargs["slug"])
        if app is None:
            raise Http404
        return app


def _audience_versions() -> Prefetch:
    versions = (
        AppVersion.objects.filter(state=VersionState.PUBLISHED)
        .prefetch_related("artifacts")
        .order_by("-major", "-minor", "-patch")
    )
    return Prefetch("versions", queryset=versions, to_attr="released_versions")


class AudienceCatalogueView(GenericAPIView):
    """The catalogue of an audience group, for MDM systems: the published apps whose
    audience includes everyone, the department (or a department above it), the role or
    the work pattern, with the current artefact per platform. Needs an API token with the
    scope `catalogue:read`; a session is not enough."""

    permission_classes = [IsAuthenticated, token_scope(ApiScope.CATALOGUE_READ)]
    serializer_class = s.AudienceAppSerializer
    filter_backends = []

    @extend_schema(
        tags=[TAG],
        summary="Catalogue of an audience group (MDM)",
        description=(
            "Needs an API token with the scope `catalogue:read`. Without `department`, `role` "
            "and `work_pattern`, only the apps for everyone. An app for a department counts "
            "for its sub-departments."
        ),
        auth=TOKEN_ONLY,
        parameters=[s.AudienceQuerySerializer],
        responses={200: s.AudienceAppSerializer(many=True), 400: INVALID, **ERRORS},
    )
    def get(self, request):
        query = s.AudienceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        role = data.get("role")
        apps = (
            selectors.apps_for_audience(
                department=data.get("department"),
                roles=[role] if role else (),
                work_pattern=data.get("work_pattern"),
            )
            .select_related("department")
            .prefetch_related(_audience_versions())
            .order_by("name", "pk")
        )
        page = self.paginate_queryset(apps)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def batch_rejected(errors: list[dict]) -> Response:
    """400 in the one error form, plus `errors`: one entry per bad item."""
    fields: dict[str, dict[str, list[str]]] = {}
    for error in errors:
        fields.setdefault(str(error["index"]), {}).setdefault(error["field"], []).append(
            error["detail"]
        )
    detail = ngettext(
        "%(count)d installation is refused; nothing was written.",
        "%(count)d installations are refused; nothing was written.",
        len(errors),
    ) % {"count": len(errors)}
    body = {
        "detail": detail,
        "code": "invalid",
        "fields": {"installations": fields},
        "errors": errors,
    }
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _shape_errors(items_errors) -> list[dict] | None:
    """The serializer's errors per item (`{index: {field: [messages]}}`) as `errors`."""
    if not isinstance(items_errors, dict):
        return None
    return [
        {"index": int(index), "field": field, "code": "invalid", "detail": str(message)}
        for index, item_errors in sorted(items_errors.items(), key=lambda pair: int(pair[0]))
        for field, messages in (
            item_errors.items()
            if isinstance(item_errors, dict)
            else [("non_field_errors", item_errors)]
        )
        for message in (messages if isinstance(messages, list) else [messages])
    ]


class InstallationReportView(GenericAPIView):
    """MDM systems report which version of an app a person has on a platform. Idempotent:
    the same batch again answers "unchanged" for every item. All or nothing: one bad item
    and nothing is written. Needs an API token with the scope `installations:write`."""

    permission_classes = [IsAuthenticated, token_scope(ApiScope.INSTALLATIONS_WRITE)]
    parser_classes = [JSONParser.limited_to(s.MAX_INSTALLATIONS_BODY)]
    serializer_class = s.InstallationBatchSerializer
    filter_backends = []
    pagination_class = None
    item_errors = True  # every 400 has `errors`

    @extend_schema(
        tags=[TAG],
        summary="Report installations (MDM)",
        description=(
            "Needs an API token with the scope `installations:write`. Upsert by person, app "
            "and platform, at most 500 items in a JSON body of at most 2 MB (a longer list "
            "is refused before any item is read). All or nothing: if any item is bad (unknown "
            "person, an app the person may not see, a version never published), the answer "
            "is 400 with an error per bad item and nothing is written. The same batch again "
            'answers "unchanged" for every item. Batches about the same installations at the '
            "same moment wait for each other; one the database still cannot order is refused "
            'with 409 (code "conflict"), nothing written: send it again.'
        ),
        auth=TOKEN_ONLY,
        request=s.InstallationBatchSerializer,
        responses={
            200: s.InstallationBatchResultSerializer,
            400: BATCH_REJECTED,
            409: BATCH_CONFLICT,
            413: TOO_LARGE,
            **ERRORS,
        },
    )
    def post(self, request):
        batch = self.get_serializer(data=request.data)
        if not batch.is_valid():
            errors = _shape_errors(batch.errors.get("installations"))
            if errors:
                return batch_rejected(errors)
            raise ValidationError(batch.errors)
        reports = services.mdm_reports(batch.validated_data["installations"])
        outcomes, refused = services.report_installations(reports=reports)
        if refused:
            return batch_rejected(
                [
                    {
                        "index": index,
                        "field": error.field or "app",
                        "code": error.code,
                        "detail": str(error.message),
                    }
                    for index, error in sorted(refused.items())
                ]
            )
        return Response(
            {"results": [{"index": i, "result": outcome} for i, outcome in enumerate(outcomes)]}
        )


# What a submission's transition answers: the version as it is now, or why not.
TRANSITION_RESPONSES = {
    200: s.SubmissionDetailSerializer,
    400: INVALID,
    404: NOT_FOUND,
    409: CONFLICT,
    **ERRORS,
}


@extend_schema_view(
    list=extend_schema(
        tags=[TAG],
        summary="Your department's app versions and their review",
        description=(
            "For app owners: every version of their own department's apps, with the latest "
            "reviewer comment. Anyone else gets an empty list (not a 403), as on the pages."
        ),
        responses={200: s.SubmissionSerializer(many=True), 400: INVALID, **ERRORS},
    ),
    retrieve=extend_schema(
        tags=[TAG],
        summary="One version with its checklist, timeline and allowed actions",
        responses={200: s.SubmissionDetailSerializer, 404: NOT_FOUND, **ERRORS},
    ),
)
class SubmissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """App owners follow the versions of their own department's apps; anyone else sees an
    empty list, and another department's version is a 404."""

    permission_classes = [IsAuthenticated, TokenHasScope]
    required_scopes = {"read": ApiScope.APPS_READ, "write": ApiScope.SUBMISSIONS_WRITE}
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AppVersion.objects.none()
        comments = (
            AppVersionEvent.objects.filter(version=OuterRef("pk"), to_state__in=REVIEWER_STATES)
            .exclude(comment="")
            .order_by("-created_at", "-pk")
            .values("comment")[:1]
        )
        versions = selectors.owned_versions(self.request.user).annotate(
            reviewer_comment=Subquery(comments)
        )
        if self.action != "list":
            versions = versions.prefetch_related(
                Prefetch("checklist", queryset=ChecklistAnswer.objects.select_related("item")),
                Prefetch(
                    "events",
                    queryset=AppVersionEvent.objects.select_related("actor").order_by(
                        "created_at", "pk"
                    ),
                ),
            )
        return versions

    def get_serializer_class(self):
        if self.action == "list":
            return s.SubmissionSerializer
        if self.action in ("submit", "withdraw"):
            return s.TransitionCommentSerializer
        return s.SubmissionDetailSerializer

    def _transition(self, request, service):
        version = self.get_object()
        body = s.TransitionCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service(by=request.user, version_id=version.pk, comment=body.validated_data["comment"])
        fresh = self.get_queryset().get(pk=version.pk)
        return Response(
            s.SubmissionDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_200_OK,
        )

    @extend_schema(
        tags=[TAG],
        summary="Submit a draft (or a version with requested changes) for review",
        request=s.TransitionCommentSerializer,
        responses=TRANSITION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, services.submit_version)

    @extend_schema(
        tags=[TAG],
        summary="Withdraw a published version (a comment is required)",
        request=s.TransitionCommentSerializer,
        responses=TRANSITION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._transition(request, services.withdraw_version)


class PackageDownloadView(APIView):
    """An uploaded package, for a person who may have it or an MDM token with
    catalogue:read (every released package). Anything else is a 404."""

    permission_classes = [IsAuthenticated, TokenHasScope]
    required_scopes = (ApiScope.CATALOGUE_READ, ApiScope.APPS_READ)

    @extend_schema(
        tags=["App store"],
        summary="Download an uploaded app package",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def get(self, request, artifact_id: int):
        mdm = isinstance(request.auth, ApiToken) and request.auth.has_scope(ApiScope.CATALOGUE_READ)
        artifact = selectors.downloadable_artifact(request.user, artifact_id, any_audience=mdm)
        if artifact is None:
            raise NotFound(_("No such package."))
        return package_response(artifact)
