"""Shapes of the app store API. Serializers check shape; services check rules."""

from __future__ import annotations

from urllib.parse import quote

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appstore import selectors
from appstore.choices import Category, Platform
from appstore.models import App, AppArtifact, AppScreenshot, AppVersion
from appstore.workflow import VERSION_WORKFLOW
from portal.api.serializers import EventSerializer, InvalidSerializer
from portal.choices import Role, WorkPattern
from portal.models import Department

MAX_INSTALLATIONS = 500
# A batch of 500 items is far smaller; a larger body is refused before it is read.
MAX_INSTALLATIONS_BODY = 2 * 1024 * 1024
# An address that may be missing: null then, never an empty string.
OPTIONAL_URI = serializers.URLField(allow_null=True, read_only=True)


def absolute(request, url: str | None) -> str | None:
    if not url:
        return None
    return request.build_absolute_uri(url) if request is not None else url


def download_url(request, artifact: AppArtifact) -> str | None:
    """The permission-checked download of an uploaded package, or None."""
    if not artifact.package:
        return None
    try:
        url = reverse("api:package_download", kwargs={"artifact_id": artifact.pk})
    except NoReverseMatch:
        return None
    return absolute(request, url)


class OptionalURLField(serializers.URLField):
    """An address that may be blank in the database: null in the answer."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class BoundedListField(serializers.ListField):
    """A list whose length is checked before any of its items is validated."""

    def to_internal_value(self, data):
        if self.max_length is not None and isinstance(data, list) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class DepartmentRefSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)


class AppListSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    department = DepartmentRefSerializer(read_only=True)
    current_version = serializers.CharField(read_only=True, allow_null=True)
    platforms = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("Platforms of the published versions: ios, android, windows, web."),
    )
    last_published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    rating_average = serializers.FloatField(read_only=True, allow_null=True)
    rating_count = serializers.IntegerField(read_only=True)
    icon_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = App
        fields = [
            "slug",
            "name",
            "summary",
            "category",
            "category_label",
            "department",
            "is_required",
            "is_featured",
            "current_version",
            "platforms",
            "last_published_at",
            "rating_average",
            "rating_count",
            "icon_url",
            "page_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OPTIONAL_URI)
    def get_icon_url(self, app: App) -> str | None:
        image = app.icon_thumbnail or app.icon
        return absolute(self.context.get("request"), image.url if image else None)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, app: App) -> str:
        return absolute(
            self.context.get("request"), reverse("appstore:detail", kwargs={"slug": app.slug})
        )


# The catalogue list, built straight from `values()` rows: the same answer as
# AppListSerializer (which documents it), without the field machinery per row and app.
APP_LIST_COLUMNS = (
    "pk",
    "slug",
    "name",
    "summary",
    "category",
    "department__name",
    "department__code",
    "is_required",
    "is_featured",
    "icon",
    "icon_thumbnail",
    "current_version",
    "platforms",
    "last_published_at",
    "rating_average",
    "rating_count",
)


def _iso_datetime(value, zone) -> str | None:
    """As serializers.DateTimeField answers: ISO 8601 in the current time zone, UTC as Z."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_SLUG = "0slug0"  # stands for an app's slug in its page address


def app_rows(rows, request) -> list[dict]:
    """AppListSerializer's answer for `APP_LIST_COLUMNS` rows of `selectors.catalogue`."""
    labels = {value: str(label) for value, label in Category.choices}
    zone = timezone.get_current_timezone()
    icon_storage = App._meta.get_field("icon").storage
    thumbnail_storage = App._meta.get_field("icon_thumbnail").storage
    page = absolute(request, reverse("appstore:detail", kwargs={"slug": _SLUG}))
    before, _slug, after = page.rpartition(_SLUG)
    safe = RFC3986_SUBDELIMS + "/~:@"
    answer = []
    for row in rows:
        if row["icon_thumbnail"]:
            icon = absolute(request, thumbnail_storage.url(row["icon_thumbnail"]))
        elif row["icon"]:
            icon = absolute(request, icon_storage.url(row["icon"]))
        else:
            icon = None
        published = row["last_published_at"]
        average = row["rating_average"]
        answer.append(
            {
                "slug": row["slug"],
                "name": row["name"],
                "summary": row["summary"],
                "category": row["category"],
                "category_label": labels.get(row["category"], row["category"]),
                "department": {"name": row["department__name"], "code": row["department__code"]},
                "is_required": row["is_required"],
                "is_featured": row["is_featured"],
                "current_version": row["current_version"],
                "platforms": list(row["platforms"] or ()),
                "last_published_at": _iso_datetime(published, zone),
                "rating_average": float(average) if average is not None else None,
                "rating_count": int(row["rating_count"]),
                "icon_url": icon,
                "page_url": before + quote(row["slug"], safe=safe) + after,
            }
        )
    return answer


class ArtifactSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(
        choices=[("store", _("Store or MDM")), ("package", _("Package")), ("web", _("Web"))],
        read_only=True,
    )
    store_url = OptionalURLField()
    web_url = OptionalURLField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = AppArtifact
        fields = [
            "platform",
            "min_os_version",
            "kind",
            "store_url",
            "mdm_identifier",
            "web_url",
            "package_sha256",
            "package_size",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OPTIONAL_URI)
    def get_download_url(self, artifact: AppArtifact) -> str | None:
        return download_url(self.context.get("request"), artifact)


class ScreenshotSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = AppScreenshot
        fields = ["url", "thumbnail_url", "alt_text"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, shot: AppScreenshot) -> str:
        return absolute(self.context.get("request"), shot.image.url)

    @extend_schema_field(OPTIONAL_URI)
    def get_thumbnail_url(self, shot: AppScreenshot) -> str | None:
        return absolute(self.context.get("request"), shot.thumbnail.url if shot.thumbnail else None)


class ReleasedVersionSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    artifacts = ArtifactSerializer(many=True, read_only=True)

    class Meta:
        model = AppVersion
        fields = [
            "version",
            "state",
            "state_label",
            "published_at",
            "release_notes",
            "data_classification",
            "processes_personal_data",
            "personal_data_description",
            "artifacts",
        ]
        read_only_fields = fields


class AppDetailSerializer(AppListSerializer):
    screenshots = serializers.SerializerMethodField()
    versions = ReleasedVersionSerializer(source="released_versions", many=True, read_only=True)

    class Meta(AppListSerializer.Meta):
        fields = [
            *AppListSerializer.Meta.fields,
            "description",
            "support_contact",
            "screenshots",
            "versions",
        ]
        read_only_fields = fields

    @extend_schema_field(ScreenshotSerializer(many=True))
    def get_screenshots(self, app: App) -> list[dict]:
        """The screenshots of the current (highest published) version."""
        for version in app.released_versions:
            if version.state == selectors.PUBLISHED:
                return ScreenshotSerializer(
                    version.screenshots.all(), many=True, context=self.context
                ).data
        return []


# The catalogue of an audience group, for MDM systems.


class AudienceQuerySerializer(serializers.Serializer):
    department = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Department.objects.all(),
        required=False,
        help_text=_("Department code; apps for it and for the departments above it count."),
    )
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    work_pattern = serializers.ChoiceField(choices=WorkPattern.choices, required=False)


class CurrentArtifactSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices, read_only=True)
    version = serializers.CharField(source="version.version", read_only=True)
    mdm_identifier = serializers.CharField(read_only=True)
    store_url = OptionalURLField()
    min_os_version = serializers.CharField(read_only=True)
    web_url = OptionalURLField()
    package_sha256 = serializers.CharField(read_only=True)
    download_url = serializers.SerializerMethodField()

    @extend_schema_field(OPTIONAL_URI)
    def get_download_url(self, artifact: AppArtifact) -> str | None:
        return download_url(self.context.get("request"), artifact)


class AudienceAppSerializer(serializers.ModelSerializer):
    department = DepartmentRefSerializer(read_only=True)
    artifacts = serializers.SerializerMethodField()

    class Meta:
        model = App
        fields = ["slug", "name", "department", "is_required", "artifacts"]
        read_only_fields = fields

    @extend_schema_field(CurrentArtifactSerializer(many=True))
    def get_artifacts(self, app: App) -> list[dict]:
        current = selectors.current_artifacts(app)
        return CurrentArtifactSerializer(
            [current[platform] for platform in sorted(current)], many=True, context=self.context
        ).data


# Installations reported by MDM systems.


class InstallationItemSerializer(serializers.Serializer):
    user = serializers.CharField(
        max_length=150, help_text=_("Employee number or user name of the person.")
    )
    app = serializers.SlugField(max_length=140, help_text=_("The app's address name."))
    version = serializers.CharField(max_length=40)
    platform = serializers.ChoiceField(choices=Platform.choices)


class InstallationBatchSerializer(serializers.Serializer):
    installations = BoundedListField(
        child=InstallationItemSerializer(),
        min_length=1,
        max_length=MAX_INSTALLATIONS,
    )


class InstallationResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    result = serializers.ChoiceField(
        choices=[
            ("created", _("Created")),
            ("updated", _("Updated")),
            ("unchanged", _("Unchanged")),
        ]
    )


class InstallationBatchResultSerializer(serializers.Serializer):
    results = InstallationResultSerializer(many=True)


class InstallationErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=_("Position of the item in the batch, from 0."))
    field = serializers.CharField(help_text=_("The item's field at fault: user, app, version…"))
    code = serializers.CharField(help_text=_('"not_found" for an unknown person or app.'))
    detail = serializers.CharField()


class InstallationBatchErrorSerializer(InvalidSerializer):
    errors = InstallationErrorSerializer(many=True)


# The owners' submissions.


class SubmissionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    app_slug = serializers.CharField(source="app.slug", read_only=True)
    app_name = serializers.CharField(source="app.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    reviewer_name = serializers.SerializerMethodField()
    reviewer_comment = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = AppVersion
        fields = [
            "id",
            "app_slug",
            "app_name",
            "version",
            "state",
            "state_label",
            "submitted_at",
            "reviewer_name",
            "reviewer_comment",
        ]
        read_only_fields = fields

    def get_reviewer_name(self, version: AppVersion) -> str | None:
        reviewer = version.reviewer
        if reviewer is None:
            return None
        return reviewer.get_full_name() or reviewer.username


class ChecklistAnswerSerializer(serializers.Serializer):
    item = serializers.CharField(source="item.text", read_only=True)
    result = serializers.CharField(read_only=True)
    result_label = serializers.CharField(source="get_result_display", read_only=True)
    note = serializers.CharField(read_only=True)


class SubmissionDetailSerializer(SubmissionSerializer):
    checklist = ChecklistAnswerSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "checklist", "events", "allowed_actions"]
        read_only_fields = fields

    def get_allowed_actions(self, version: AppVersion) -> list[str]:
        request = self.context["request"]
        return [t.action for t in VERSION_WORKFLOW.available(version, request.user)]


class TransitionCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
