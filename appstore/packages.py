"""Checking an uploaded app package before it is stored: type, platform, size, content.

A package is a ZIP container (.apk, .ipa, .msix, .appx) holding a file every real
package of its kind has; a file whose extension lies is refused.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from appstore.choices import PACKAGE_TYPES, Platform
from portal.errors import RuleViolation


@dataclass(frozen=True)
class CheckedPackage:
    name: str
    size: int
    sha256: str


def check_package(upload, *, platform: str) -> CheckedPackage:
    """The package's safe name, size and SHA-256, or a RuleViolation on `package`."""
    limit = settings.APPSTORE_MAX_PACKAGE_MB * 1024 * 1024
    name = get_valid_filename(os.path.basename(upload.name or "package"))
    extension = os.path.splitext(name)[1].lower()
    if extension not in PACKAGE_TYPES:
        raise RuleViolation(_("Upload an .apk, .ipa, .msix or .appx package."), field="package")
    expected_platform, marker = PACKAGE_TYPES[extension]
    if expected_platform != platform:
        raise RuleViolation(
            _("A %(ext)s package is for %(platform)s, not for this platform.")
            % {"ext": extension, "platform": Platform(expected_platform).label},
            field="package",
        )
    if upload.size > limit:
        raise RuleViolation(
            _("The package is larger than %(mb)s MB.") % {"mb": settings.APPSTORE_MAX_PACKAGE_MB},
            field="package",
        )
    upload.seek(0)
    if not _holds(upload, marker):
        raise RuleViolation(
            _("This file is not a real %(ext)s package.") % {"ext": extension}, field="package"
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in (
        upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b"")
    ):
        digest.update(chunk)
    upload.seek(0)
    return CheckedPackage(name=name, size=upload.size, sha256=digest.hexdigest())


def _holds(upload, marker: str) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    if marker.endswith("/"):
        return any(n.startswith(marker) for n in names)
    return marker in names


def package_response(artifact):
    """The stored package as a download that browsers never render or cache."""
    from django.http import FileResponse

    response = FileResponse(
        artifact.package.open("rb"), as_attachment=True, filename=artifact.package_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
