"""Reads of the app store that encode a rule: who sees which app, who is told, what a
page shows. Pages, API, admin and tasks all read through these."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    IntegerField,
    Lookup,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from appstore import cache
from appstore.choices import ListingChangeState, VersionState
from appstore.models import (
    App,
    AppArtifact,
    AppVersion,
    Installation,
    InstallationRequest,
    ListingChange,
    Rating,
)
from portal.choices import Role
from portal.models import Department, User

PUBLISHED = VersionState.PUBLISHED
WORDS = re.compile(r"\w+", re.UNICODE)
# What a page shows of a person joined to a row (a reviewer, the author of a rating).
USER_SHOWN = ("username", "first_name", "last_name")


def apps_visible_to(user) -> QuerySet[App]:
    """Published apps whose audience includes this person. Everything else is a 404.
    The ids come from the shared cache, per audience and catalogue version."""
    if not user.is_authenticated:
        return App.objects.none()
    ids = visible_app_ids(user)
    return App.objects.filter(_AmongIds(F("pk"), ids)) if ids else App.objects.none()


class _AmongIds(Lookup):
    """`pk = ANY(%s::bigint[])` with the ids as one text parameter ('{1,2,3}'): a short
    statement however many apps an audience sees (`pk__in` writes one placeholder per
    id), and one string to send instead of a list adapted id by id."""

    lookup_name = "among_ids"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", ["{" + ",".join(str(int(pk)) for pk in value) + "}"]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs}::bigint[])", [*lhs_params, *rhs_params]


def visible_app_ids(user) -> list[int]:
    """The ids `apps_for_audience` gives for the person's audience, computed once per
    audience (department path, roles, work pattern) and catalogue version, and read once
    per request (kept on the person's object under the key it was read with)."""
    key = audience_cache_key(user, "visible")
    remembered = getattr(user, "_visible_app_ids", None)
    if remembered is not None and remembered[0] == key:
        return remembered[1]
    department = user.department if user.department_id else None
    ids = cache.cached(
        key,
        lambda: list(
            apps_for_audience(
                department=department, roles=user.role_names, work_pattern=user.work_pattern
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
    )
    user._visible_app_ids = (key, ids)
    return ids


def audience_cache_key(user, kind: str) -> str:
    """The cache key of `kind` for the person's audience at the current catalogue
    version: for what is the same for everyone who sees the same apps."""
    return _audience_keys([kind], user)[0]


def _audience_keys(kinds, user) -> list[str]:
    return cache.audience_keys(
        kinds,
        department_path=user.department.path if user.department_id else "",
        roles=user.role_names,
        work_pattern=user.work_pattern or "",
    )


def _category_counts(user) -> dict[str, int]:
    return dict(
        apps_visible_to(user)
        .order_by()
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )


def category_counts(user) -> dict[str, int]:
    """How many visible apps each category has: the same for the whole audience."""
    return cache.cached(audience_cache_key(user, "categories"), lambda: _category_counts(user))


def owning_departments(user) -> list[tuple[int, str]]:
    """(id, name) of the departments owning an app the person sees, by name: the choices
    of the catalogue's owner filter, the same for the whole audience."""
    return cache.cached(
        audience_cache_key(user, "owners"),
        lambda: list(
            Department.objects.filter(apps__in=apps_visible_to(user).values("pk"))
            .distinct()
            .order_by("name", "pk")
            .values_list("pk", "name")
        ),
    )


def apps_for_audience(*, department=None, roles=(), work_pattern=None) -> QuerySet[App]:
    """Published apps whose audience includes a group: everyone, the department or any
    department above it, one of the roles, or the work pattern. The one audience rule."""
    published = AppVersion.objects.filter(app=OuterRef("pk"), state=PUBLISHED)
    audience = Q(audience_everyone=True)
    if department is not None:
        audience |= Q(
            Exists(
                App.audience_departments.through.objects.filter(
                    app_id=OuterRef("pk"), department_id__in=department.ancestor_ids()
                )
            )
        )
    roles = sorted(roles)
    if roles:
        audience |= Q(audience_roles__overlap=roles)
    if work_pattern:
        audience |= Q(audience_work_patterns__contains=[work_pattern])
    return App.objects.filter(Exists(published)).filter(audience)


def catalogue(user) -> QuerySet[App]:
    """The visible apps with what a list shows: current version, last publication,
    platforms, average rating. A constant number of queries however many apps."""
    published = AppVersion.objects.filter(app=OuterRef("pk"), state=PUBLISHED)
    ratings = Rating.objects.filter(app=OuterRef("pk")).order_by().values("app")
    return (
        apps_visible_to(user)
        .select_related("department")
        .defer("search_vector")
        .annotate(
            current_version=Subquery(
                published.order_by("-major", "-minor", "-patch").values("version")[:1]
            ),
            last_published_at=Subquery(
                published.order_by("-published_at").values("published_at")[:1]
            ),
            platforms=ArraySubquery(
                AppArtifact.objects.filter(version__app=OuterRef("pk"), version__state=PUBLISHED)
                .order_by("platform")
                .values("platform")
                .distinct()
            ),
            rating_average=Subquery(ratings.annotate(a=Avg("stars")).values("a")[:1]),
            rating_count=Coalesce(
                Subquery(ratings.annotate(c=Count("pk")).values("c")[:1]),
                0,
                output_field=IntegerField(),
            ),
        )
    )


SHELVES = ("required", "recent", "featured")


def store_home(user, *, size: int) -> dict:
    """The store home for a person: the app ids on each shelf (required for them, new and
    updated, featured; `size` each) and the visible apps per category. The same for the
    whole audience: kept per audience and catalogue version, read in one round trip."""

    def shelves() -> dict[str, list[int]]:
        apps = catalogue(user)
        orders = {
            "required": apps.filter(is_required=True).order_by("name", "pk"),
            "recent": apps.order_by("-last_published_at", "name", "pk"),
            "featured": apps.filter(is_featured=True).order_by("name", "pk"),
        }
        return {name: list(qs.values_list("pk", flat=True)[:size]) for name, qs in orders.items()}

    makers = {"shelves": shelves, "categories": lambda: _category_counts(user)}
    keys = dict(zip(makers, _audience_keys([f"shelves-{size}", "categories"], user), strict=True))
    return cache.cached_many(keys, lambda missing: {name: makers[name]() for name in missing})


def cards(user, pks) -> QuerySet[App]:
    """The visible apps among `pks` with what a card shows (`catalogue`), in no order."""
    return catalogue(user).filter(_AmongIds(F("pk"), list(pks)))


APP_AND_MY_RATING = (
    f"SELECT app.id, mine.stars, mine.comment FROM {App._meta.db_table} app "  # noqa: S608
    f"LEFT JOIN {Rating._meta.db_table} mine ON mine.app_id = app.id "
    "AND mine.user_id = %s WHERE app.slug = %s"
)  # table names from the models' _meta, values as parameters


def visible_app_and_rating(user, slug: str) -> tuple[int | None, Rating | None]:
    """The id of the app at `slug` if the person may see it (else None) and their own
    rating of it (or None): one short query, for pages whose shared parts are cached."""
    if not user.is_authenticated:
        return None, None
    with connection.cursor() as cursor:
        # One row, on the page of every app: plain SQL, not the ORM's subquery machinery.
        cursor.execute(APP_AND_MY_RATING, [user.pk, slug])
        row = cursor.fetchone()
    if row is None or row[0] not in set(visible_app_ids(user)):
        return None, None
    pk, stars, comment = row
    return pk, (None if stars is None else Rating(stars=stars, comment=comment))


def search_query(text: str) -> SearchQuery | None:
    """Every word as a prefix, all required: "vann insp" finds "Vanninspeksjon"."""
    words = WORDS.findall(text.lower())[:8]
    if not words:
        return None
    return SearchQuery(" & ".join(f"{w}:*" for w in words), search_type="raw", config="simple")


def search(apps: QuerySet[App], text: str) -> QuerySet[App]:
    """Full-text search ranked by where the words were found (name first)."""
    query = search_query(text)
    if query is None:
        return apps
    return (
        apps.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "name")
    )


def app_page(user, slug: str) -> App | None:
    """One visible app with everything its page shows, or None (the view says 404)."""
    return _app_page(user).filter(slug=slug).first()


def app_page_by_id(user, pk: int) -> App | None:
    return _app_page(user).filter(pk=pk).first()


def _app_page(user) -> QuerySet[App]:
    versions = (
        AppVersion.objects.filter(state__in=[PUBLISHED, VersionState.SUPERSEDED])
        .prefetch_related("artifacts", "screenshots")
        .order_by("-major", "-minor", "-patch")
    )
    return catalogue(user).prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="released_versions")
    )


def current_artifacts(app: App) -> dict[str, AppArtifact]:
    """Per platform, the artefact of the highest published version that has one."""
    if hasattr(app, "released_versions"):
        versions = [v for v in app.released_versions if v.state == PUBLISHED]
    else:
        versions = list(
            app.versions.filter(state=PUBLISHED)
            .prefetch_related("artifacts")
            .order_by("-major", "-minor", "-patch")
        )
    current: dict[str, AppArtifact] = {}
    for version in versions:
        for artifact in version.artifacts.all():
            if artifact.platform not in current:
                artifact.version = version
                current[artifact.platform] = artifact
    return current


def with_user(queryset: QuerySet, relation: str) -> QuerySet:
    """The rows with the joined person's shown columns only (never the password hash)."""
    own = [field.name for field in queryset.model._meta.concrete_fields]
    return queryset.select_related(relation).only(
        *own, *(f"{relation}__{name}" for name in USER_SHOWN)
    )


def reviews(app: App) -> QuerySet[Rating]:
    return with_user(Rating.objects.filter(app=app), "user").order_by("-updated_at")


@dataclass
class MyApp:
    """A row of My apps: an app on a platform, with its version, as an installation or an
    open request. `update` (the newer published version) and `requested` (an open request
    for a newer version) are set on installations."""

    app_id: int
    platform: str
    name: str
    slug: str
    icon: str
    icon_thumbnail: str
    version: str
    number: tuple[int, int, int]
    requested_at: object = None
    update: NewestVersion | None = None
    requested: MyApp | None = None

    @property
    def icon_url(self) -> str | None:
        """The thumbnail's address, else the icon's, else None."""
        for name, stored in (("icon_thumbnail", self.icon_thumbnail), ("icon", self.icon)):
            if stored:
                return App._meta.get_field(name).storage.url(stored)
        return None


# My apps is read on every visit to it: plain SQL (table names from the models' _meta),
# the person's own rows, filtered by the visible apps in Python.
_MY_ROWS = (
    "SELECT r.app_id, r.platform, a.name, a.slug, a.icon, a.icon_thumbnail, "
    "v.version, v.major, v.minor, v.patch{extra} "
    "FROM {table} r JOIN {app} a ON a.id = r.app_id JOIN {version} v ON v.id = r.version_id "
    "WHERE r.user_id = %s ORDER BY a.name, r.platform"
)
_MY_TABLES = {"app": App._meta.db_table, "version": AppVersion._meta.db_table}
MY_INSTALLATIONS = _MY_ROWS.format(extra="", table=Installation._meta.db_table, **_MY_TABLES)
MY_REQUESTS = _MY_ROWS.format(
    extra=", r.requested_at", table=InstallationRequest._meta.db_table, **_MY_TABLES
)
NEWEST_VERSIONS = (
    "SELECT DISTINCT ON (v.app_id, f.platform) "  # noqa: S608 - table names from _meta
    "v.app_id, f.platform, v.version, v.major, v.minor, v.patch "
    f"FROM {AppArtifact._meta.db_table} f JOIN {AppVersion._meta.db_table} v "
    "ON v.id = f.version_id WHERE v.app_id = ANY(%s::bigint[]) AND v.state = %s "
    "ORDER BY v.app_id, f.platform, v.major DESC, v.minor DESC, v.patch DESC"
)


def _my_rows(sql: str, user) -> list[MyApp]:
    visible = set(visible_app_ids(user))
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        rows = cursor.fetchall()
    return [
        MyApp(app_id, platform, name, slug, icon, thumb, version, (major, minor, patch), *more)
        for app_id, platform, name, slug, icon, thumb, version, major, minor, patch, *more in rows
        if app_id in visible
    ]


def my_installations(user) -> list[MyApp]:
    """What the person installed of apps they still see, by app name and platform, each
    with `update` set to the newer published version for that platform, or None."""
    installations = _my_rows(MY_INSTALLATIONS, user)
    newest = _newest_per_app_platform([i.app_id for i in installations])
    for installation in installations:
        latest = newest.get((installation.app_id, installation.platform))
        if latest is not None and latest.number > installation.number:
            installation.update = latest
    return installations


def my_requests(user, installations: list[MyApp]) -> list[MyApp]:
    """What the person asked the store for that no MDM report confirms yet: a request is
    open while nothing, or an older version, is installed on its platform. Each of
    `installations` gets `requested` (its open request for a newer version, or None); the
    open requests for apps not installed on that platform at all are returned."""
    installed = {(i.app_id, i.platform): i for i in installations}
    for installation in installations:
        installation.requested = None
    waiting = []
    for request in _my_rows(MY_REQUESTS, user):
        installation = installed.get((request.app_id, request.platform))
        if installation is None:
            waiting.append(request)
        elif request.number > installation.number:
            installation.requested = request
    return waiting


@dataclass(frozen=True)
class NewestVersion:
    version: str
    number: tuple[int, int, int]


def _newest_per_app_platform(app_ids) -> dict[tuple[int, str], NewestVersion]:
    """Per (app, platform), the highest published version with an artefact for it."""
    if not app_ids:
        return {}
    ids = "{" + ",".join(str(int(pk)) for pk in set(app_ids)) + "}"
    with connection.cursor() as cursor:
        cursor.execute(NEWEST_VERSIONS, [ids, PUBLISHED])
        rows = cursor.fetchall()
    return {
        (app_id, platform): NewestVersion(version, (major, minor, patch))
        for app_id, platform, version, major, minor, patch in rows
    }


def audience_members(app: App) -> QuerySet[User]:
    """The active people whose audience includes this app (the inverse of apps_visible_to)."""
    people = User.objects.filter(is_active=True)
    if app.audience_everyone:
        return people
    audience = Q(pk__in=[])
    for path in app.audience_departments.values_list("path", flat=True):
        audience |= Q(department__path__startswith=path)
    if app.audience_roles:
        audience |= Q(groups__name__in=app.audience_roles)
    if app.audience_work_patterns:
        audience |= Q(work_pattern__in=app.audience_work_patterns)
    return people.filter(pk__in=people.filter(audience).values("pk"))


def owned_apps(user) -> QuerySet[App]:
    """The apps of the owner's department, with their open listing change, if any."""
    if not (user.is_authenticated and user.has_role(Role.APP_OWNER) and user.department_id):
        return App.objects.none()
    return (
        App.objects.filter(department_id=user.department_id)
        .select_related("department")
        .annotate(
            version_count=Count("versions", distinct=True),
            pending_listing_change=Exists(
                ListingChange.objects.filter(app=OuterRef("pk"), state=ListingChangeState.SUBMITTED)
            ),
        )
        .order_by("name")
    )


def owned_versions(user) -> QuerySet[AppVersion]:
    """Versions of the owner's department's apps, with their review state."""
    return (
        with_user(AppVersion.objects.filter(app__in=owned_apps(user).values("pk")), "reviewer")
        .select_related("app")
        .prefetch_related("artifacts")
        .order_by("app__name", "-major", "-minor", "-patch")
    )


def app_owners_of(app: App) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, department_id=app.department_id, groups__name=Role.APP_OWNER
    )


def reviewers_for(app: App) -> QuerySet[User]:
    """Active IT reviewers, less those who own apps in the app's department."""
    owners = app_owners_of(app).values("pk")
    return User.objects.filter(is_active=True, groups__name=Role.IT_REVIEWER).exclude(pk__in=owners)


def review_queue() -> QuerySet[AppVersion]:
    """Submitted and in-review versions, oldest first."""
    queue = AppVersion.objects.filter(state__in=[VersionState.SUBMITTED, VersionState.IN_REVIEW])
    return (
        with_user(queue, "reviewer")
        .select_related("app", "app__department")
        .prefetch_related("artifacts")
        .order_by("submitted_at", "pk")
    )


def downloadable_artifact(
    user, artifact_id: int, *, any_audience: bool = False
) -> AppArtifact | None:
    """A package this person may download: of a released version of an app they see, or of
    any version of an app they own or may review (reviewers inspect packages). An MDM
    system (`any_audience`, a token with catalogue:read) gets every released package."""
    from appstore import permissions

    artifact = (
        AppArtifact.objects.select_related("version", "version__app")
        .exclude(package="")
        .filter(pk=artifact_id)
        .first()
    )
    if artifact is None or not user.is_authenticated:
        return None
    version = artifact.version
    if permissions.owns_version(user, version) or permissions.may_review_version(user, version):
        return artifact
    released = version.state in (PUBLISHED, VersionState.SUPERSEDED)
    if released and any_audience:
        return artifact
    if released and apps_visible_to(user).filter(pk=version.app_id).exists():
        return artifact
    return None
