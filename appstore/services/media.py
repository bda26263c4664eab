"""A version's media: its artefacts (how it installs on each platform: a store or MDM
entry, a package or a web address) and its screenshots, with their thumbnails.

Like the rest of the version services, the owner's changes take keyword-only arguments
with the acting user (`by=`), run in one transaction and touch only an editable version;
the thumbnail is made afterwards by a task.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from appstore import cache, packages, task_names
from appstore.choices import Platform
from appstore.models import AppArtifact, AppScreenshot
from appstore.services.versions import _editable_version, _full_clean
from portal.errors import NotFound, RuleViolation
from portal.queue import enqueue
from portal.uploads import clean_image

MAX_SCREENSHOTS = 8
SCREENSHOT_SIDE = 2400  # the longer side of a stored screenshot, in pixels


@transaction.atomic
def add_artifact(
    *,
    by,
    version_id: int,
    platform: str,
    store_url: str = "",
    mdm_identifier: str = "",
    web_url: str = "",
    min_os_version: str = "",
    package=None,
) -> AppArtifact:
    """How the version installs on one platform: a store/MDM entry, a package, or a web URL.

    A web app needs a web address and nothing else; a package must be a real one of the
    platform's type. The package is kept in private storage with its SHA-256.
    """
    version = _editable_version(version_id, by)
    if platform not in Platform.values:
        raise RuleViolation(_("Choose a platform."), field="platform")
    if version.artifacts.filter(platform=platform).exists():
        raise RuleViolation(
            _("This version already has an artefact for %(platform)s; remove it first.")
            % {"platform": Platform(platform).label},
            field="platform",
        )
    artifact = AppArtifact(
        version=version,
        platform=platform,
        store_url=store_url.strip(),
        mdm_identifier=mdm_identifier.strip(),
        web_url=web_url.strip(),
        min_os_version=min_os_version.strip(),
    )
    _check_install_route(artifact, package)
    if package is not None:
        checked = packages.check_package(package, platform=platform)
        artifact.package_name = checked.name
        artifact.package_size = checked.size
        artifact.package_sha256 = checked.sha256
        package.seek(0)
        artifact.package.save(checked.name, package, save=False)
    _full_clean(artifact)
    artifact.save()
    return artifact


def _check_install_route(artifact: AppArtifact, package) -> None:
    if artifact.platform == Platform.WEB:
        if not artifact.web_url:
            raise RuleViolation(_("A web app needs its web address."), field="web_url")
        if package is not None or artifact.store_url or artifact.mdm_identifier:
            raise RuleViolation(
                _("A web app is opened at its web address; leave the other ways empty."),
                field="web_url",
            )
        return
    if artifact.web_url:
        raise RuleViolation(_("Only the web platform has a web address."), field="web_url")
    if package is None and not (artifact.store_url or artifact.mdm_identifier):
        raise RuleViolation(
            _("Give a store or MDM link or identifier, or upload a package."), field="package"
        )


@transaction.atomic
def remove_artifact(*, by, artifact_id: int) -> None:
    artifact = AppArtifact.objects.filter(pk=artifact_id).first()
    if artifact is None:
        raise NotFound(_("No such artefact."))
    _editable_version(artifact.version_id, by)
    if artifact.package:
        name, storage = artifact.package.name, artifact.package.storage
        transaction.on_commit(lambda: storage.delete(name))
    artifact.delete()


@transaction.atomic
def add_screenshot(*, by, version_id: int, image, alt_text: str) -> AppScreenshot:
    """A screenshot, re-encoded; a description for screen readers is required."""
    version = _editable_version(version_id, by)
    if not alt_text.strip():
        raise RuleViolation(
            _("Describe what the screenshot shows, for people who cannot see it."),
            field="alt_text",
        )
    if version.screenshots.count() >= MAX_SCREENSHOTS:
        raise RuleViolation(
            _("A version has at most %(count)s screenshots.") % {"count": MAX_SCREENSHOTS},
            field="image",
        )
    position = version.screenshots.count() + 1
    screenshot = AppScreenshot(version=version, alt_text=alt_text.strip(), position=position)
    _full_clean(screenshot, exclude=["image"])
    clean = clean_image(image, field="image", max_side=SCREENSHOT_SIDE)
    screenshot.image.save(clean.name, clean, save=False)
    screenshot.save()
    transaction.on_commit(lambda: _queue_thumbnail("screenshot", screenshot.pk))
    return screenshot


@transaction.atomic
def remove_screenshot(*, by, screenshot_id: int) -> None:
    screenshot = AppScreenshot.objects.filter(pk=screenshot_id).first()
    if screenshot is None:
        raise NotFound(_("No such screenshot."))
    _editable_version(screenshot.version_id, by)
    screenshot.delete()


def _queue_thumbnail(kind: str, pk: int) -> None:
    enqueue(task_names.MAKE_THUMBNAIL, kind, pk)


def make_screenshot_thumbnail(*, screenshot_id: int) -> bool:
    """The screenshot's small WebP for the app page; does nothing when already made."""
    from portal.uploads import thumbnail

    with transaction.atomic():
        shot = AppScreenshot.objects.select_for_update().filter(pk=screenshot_id).first()
        if shot is None or shot.thumbnail:
            return False
        small = thumbnail(shot.image, size=480)
        shot.thumbnail.save(small.name, small, save=False)
        shot.save(update_fields=["thumbnail"])
        cache.cards_changed()  # the app page shows it
        return True
