"""The catalogue as staff see it: store home, search, app page, install, My apps, ratings.

Every page reads through `appstore.selectors`, so an app outside a person's audience is
a 404 here exactly as in the API.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import CheckboxInput
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from appstore import cache, selectors, services
from appstore.choices import Category, Platform, VersionState
from appstore.filters import CatalogueFilter
from appstore.packages import package_response
from appstore.views.my_apps import my_app_rows
from portal.errors import DomainError
from portal.fields import QuickSelect
from portal.qr import qr_svg

SHELF = 8
PAGE_SIZE = 20
RESULTS = "search-results"  # the id of the region htmx swaps
REVIEWS_SHOWN = 20


CARD = "appstore/catalogue/partials/cards.html"


def cards_html(user, pks) -> dict[int, SafeString]:
    """The card of each app in `pks` the person may see, by app id. A card is the same
    for everyone who sees the app: rendered once per language and cards version (a
    rating, a publication or a listing change makes a new one), then read from the cache."""
    keys = cache.card_keys(set(pks), get_language())

    def render_missing(missing) -> dict[int, str]:
        return {
            app.pk: render_to_string(CARD, {"apps": [app]})
            for app in selectors.cards(user, missing)
        }

    found = cache.cached_many(keys, render_missing)
    return {pk: mark_safe(html) for pk, html in found.items()}  # noqa: S308 - rendered above


@login_required
def home(request):
    store = selectors.store_home(request.user, size=SHELF)
    shelves, counts = store["shelves"], store["categories"]
    cards = cards_html(request.user, [pk for pks in shelves.values() for pk in pks])
    return render(
        request,
        "appstore/catalogue/home.html",
        {
            **{name: [cards[pk] for pk in pks if pk in cards] for name, pks in shelves.items()},
            "categories": [
                (value, label, counts[value])
                for value, label in Category.choices
                if value in counts
            ],
        },
    )


@login_required
def search(request):
    context = _search(request)
    if request.htmx and request.htmx.target == RESULTS:
        response = render(
            request, "appstore/catalogue/partials/results.html", {**context, "partial": True}
        )
    else:
        response = render(request, "appstore/catalogue/search.html", context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


SEARCH_SECONDS = 10 * 60  # many different words are searched: results age out sooner


def _search(request) -> dict:
    """What the search page shows for the query string: the filter fields (with what was
    asked and any errors), the page of results asked for (its cards and paging links)
    as HTML, and how many apps match. The same for everyone of an audience asking the
    same: kept per audience, query string and language at the catalogue and cards
    versions."""

    def make() -> dict:
        visible = selectors.apps_visible_to(request.user)
        filterset = CatalogueFilter(request.GET or None, queryset=visible)
        _label_search_fields(filterset.form, request.user)
        apps = filterset.qs  # a field with a bad value is shown with its error, not applied
        # The name is not unique: the primary key keeps pages stable.
        apps = apps.order_by(*(apps.query.order_by or ("name",)), "pk")
        paginator = Paginator(apps.values_list("pk", flat=True), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        pks = list(page.object_list)
        cards = cards_html(request.user, pks)
        shown = [cards[pk] for pk in pks if pk in cards]
        return {
            "count": paginator.count,
            "results": render_to_string(
                RESULT_LIST, {"page": page, "cards": shown}, request=request
            ),
            "fields": render_to_string(SEARCH_FIELDS, {"filter": filterset}, request=request),
        }

    asked = urlencode(sorted(request.GET.lists()), doseq=True)[:2000]
    key = selectors.audience_cache_key(
        request.user, f"search-v2-{cache.cards_version()}-{get_language()}-{cache.digest(asked)}"
    )
    found = cache.cached(key, make, timeout=SEARCH_SECONDS)
    for part in ("results", "fields"):
        found[part] = mark_safe(found[part])  # noqa: S308 - rendered by make()
    return found


RESULT_LIST = "appstore/catalogue/partials/result_list.html"
SEARCH_FIELDS = "appstore/catalogue/partials/search_fields.html"


class RequiredOnlyCheckbox(CheckboxInput):
    """Ticked only by an explicit yes, so older links with required=unknown show all."""

    def value_from_datadict(self, data, files, name):
        return str(data.get(name, "")).lower() in ("true", "on", "1")


def _label_search_fields(form, user) -> None:
    """What a person reads in the filter form: "All ..." instead of dashes, and a
    checkbox (sent as required=true, like the store home's link) for required-only."""
    for name in ("platform", "category", "department"):
        field = form.fields[name]
        field.widget = QuickSelect(attrs=field.widget.attrs, choices=field.widget.choices)
        field.widget.is_required = field.required
    owners = form.fields["department"]
    # The departments owning an app this person sees (cached per audience), not all.
    owners.widget.choices = [("", owners.empty_label), *selectors.owning_departments(user)]
    form.fields["platform"].empty_label = _("All platforms")
    form.fields["category"].empty_label = _("All categories")
    form.fields["required"].widget = RequiredOnlyCheckbox(attrs={"value": "true"})
    form.fields["q"].widget.input_type = "search"
    form.fields["q"].widget.attrs.update({"autocomplete": "off", "enterkeyhint": "search"})


def _app_or_404(request, slug):
    app = selectors.app_page(request.user, slug)
    if app is None:
        raise Http404(_("No such app."))
    return app


def device_platform(user_agent: str) -> str | None:
    """The phone or tablet platform of the device in hand, from its User-Agent; None for
    anything else (a desktop, where the QR code takes the page to the phone)."""
    if any(name in user_agent for name in ("iPhone", "iPad", "iPod")):
        return Platform.IOS
    if "Android" in user_agent:
        return Platform.ANDROID
    if "Macintosh" in user_agent and "Mobile/" in user_agent:  # iPadOS asks as a Mac
        return Platform.IOS
    return None


@login_required
def detail(request, slug, *, rating_error=None, status=200):
    pk, my_rating = selectors.visible_app_and_rating(request.user, slug)
    if pk is None:
        raise Http404(_("No such app."))
    page_url = request.build_absolute_uri(reverse("appstore:detail", args=[slug]))
    shared = shared_page(request.user, pk, page_url)
    if shared is None:  # withdrawn between the two reads
        raise Http404(_("No such app."))
    in_hand = device_platform(request.headers.get("User-Agent", ""))
    context = {
        "shared": shared,
        "slug": slug,
        # The platform of the device in hand first; the others stay reachable below it.
        "current": sorted(
            shared["artifacts"], key=lambda a: (a["platform"] != in_hand, a["platform"])
        ),
        "device_platform": in_hand,
        "my_rating": my_rating,
        "rating_error": rating_error,
        "stars": range(1, 6),
        "qr_svg": shared["qr"],
    }
    if rating_error:
        context["rating_input"] = request.POST
    response = render(request, "appstore/catalogue/detail.html", context, status=status)
    patch_vary_headers(response, ["User-Agent"])
    return response


def shared_page(user, pk: int, page_url: str) -> dict | None:
    """What an app's page at `page_url` shows alike to everyone who sees it, rendered in
    the active language: its head, screenshots, about, versions and latest reviews as
    HTML, the QR code of its address, and its current artefacts as data for the install
    buttons. Kept per address, language and cards version (`appstore.cache`), so a rating
    or a publication is seen at once."""

    def make():
        app = selectors.app_page_by_id(user, pk)
        if app is None:
            return None
        return {
            "name": app.name,
            "qr": _page_qr(page_url, _("QR code for the page of %(app)s") % {"app": app.name}),
            "head": render_to_string("appstore/catalogue/partials/page_head.html", {"app": app}),
            "body": render_to_string(
                "appstore/catalogue/partials/page_body.html",
                {"app": app, "screenshots": _screenshots(app)},
            ),
            "reviews": render_to_string(
                "appstore/catalogue/partials/page_reviews.html",
                {"reviews": list(selectors.reviews(app)[:REVIEWS_SHOWN])},
            ),
            "artifacts": [
                {
                    "platform": artifact.platform,
                    "platform_label": str(artifact.get_platform_display()),
                    "kind": artifact.kind,
                    "web_url": artifact.web_url,
                    "version": artifact.version.version,
                    "min_os_version": artifact.min_os_version,
                    "package_size": artifact.package_size,
                    "package_sha256": artifact.package_sha256,
                }
                for artifact in selectors.current_artifacts(app).values()
            ],
        }

    shared = cache.cached(cache.page_key(pk, get_language(), page_url), make)
    if shared is not None:
        for part in ("head", "body", "reviews", "qr"):
            shared[part] = mark_safe(shared[part])  # noqa: S308 - rendered by make()
    return shared


def _page_qr(url: str, label: str) -> str:
    """The QR code of an app's page: the same for every visitor (by address and label),
    so drawn once, not each time the page's shared parts are made anew."""
    key = "appstore:qr:" + cache.digest(f"{url}\n{label}")
    return cache.cached(key, lambda: qr_svg(url, label))


def _screenshots(app) -> list:
    """The screenshots of the newest published version that has any, each with the
    image to show (the thumbnail once made) and its size, so the page does not jump."""
    for version in app.released_versions:
        shots = list(version.screenshots.all())
        if version.state == VersionState.PUBLISHED and shots:
            for shot in shots:
                shot.shown = shot.thumbnail or shot.image
                shot.shown_size = _image_size(shot.shown)
            return shots
    return []


def _image_size(image) -> tuple[int, int] | None:
    try:
        return image.width, image.height
    except (OSError, ValueError):  # a file gone missing must not break the page
        return None


@login_required
@require_http_methods(["GET", "POST"])
def install(request, slug, platform):
    """POST: ask for the app on a platform (a request, not an installation: the MDM's
    report confirms that) and stay on this origin: the package's download, or this
    address's page with the store or company portal entry. GET: that page.

    The store entry and a web app live on other origins: the person follows a link there
    (the policy's form-action 'self' stops a form's redirect to them in the browser)."""
    app = _app_or_404(request, slug)
    if request.method == "POST":
        return _request_installation(request, app, platform)
    artifact = selectors.current_artifacts(app).get(platform)
    if artifact is None:
        raise Http404(_("This app is not available for that platform."))
    if artifact.kind != "store":
        return redirect("appstore:detail", slug=app.slug)
    return render(request, "appstore/catalogue/install.html", {"app": app, "artifact": artifact})


def _request_installation(request, app, platform):
    try:
        asked = services.request_installation(by=request.user, app_id=app.pk, platform=platform)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("appstore:detail", slug=app.slug)
    if asked.artifact.kind == "package":
        return redirect("appstore:package_download", artifact_id=asked.artifact.pk)
    messages.success(
        request,
        _("Your request for %(app)s %(version)s is recorded.")
        % {"app": app.name, "version": asked.version.version},
    )
    return redirect("appstore:install", slug=app.slug, platform=platform)


@login_required
@require_POST
def rate(request, slug):
    app = _app_or_404(request, slug)
    try:
        services.rate_app(
            by=request.user,
            app_id=app.pk,
            stars=request.POST.get("stars"),
            comment=request.POST.get("comment", ""),
        )
    except DomainError as error:
        return detail(request, slug, rating_error=error, status=error.status_code)
    messages.success(request, _("Thank you. Your rating is saved."))
    return redirect(reverse("appstore:detail", args=[app.slug]) + "#rating")


@login_required
@require_POST
def rate_remove(request, slug):
    app = _app_or_404(request, slug)
    services.remove_rating(by=request.user, app_id=app.pk)
    messages.success(request, _("Your rating is removed."))
    return redirect(reverse("appstore:detail", args=[app.slug]) + "#rating")


@login_required
def package_download(request, artifact_id):
    artifact = selectors.downloadable_artifact(request.user, artifact_id)
    if artifact is None:
        raise Http404(_("No such package."))
    return package_response(artifact)


@login_required
def mine(request):
    installations = selectors.my_installations(request.user)
    requests = selectors.my_requests(request.user, installations)
    installed, waiting = my_app_rows(request, installations, requests)
    return render(
        request, "appstore/catalogue/mine.html", {"installed": installed, "waiting": waiting}
    )


urlpatterns = [
    path("", home, name="home"),
    path("search/", search, name="search"),
    path("mine/", mine, name="mine"),
    path("packages/<int:artifact_id>/download/", package_download, name="package_download"),
    path("<slug:slug>/", detail, name="detail"),
    path("<slug:slug>/install/<str:platform>/", install, name="install"),
    path("<slug:slug>/rate/", rate, name="rate"),
    path("<slug:slug>/rate/remove/", rate_remove, name="rate_remove"),
]
