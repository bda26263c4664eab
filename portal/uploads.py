"""Images people upload (app icons, screenshots, repair photos): validated with Pillow
and re-encoded, so only a clean PNG, JPEG or WebP is ever stored.

Re-encoding drops metadata (EXIF location, comments) and anything smuggled after the
image data. SVG is never accepted: served from our origin it could run scripts.
"""

from __future__ import annotations

import warnings
from io import BytesIO
from uuid import uuid4

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.errors import RuleViolation

FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
SAVE_OPTIONS = {
    "PNG": {"optimize": True},
    "JPEG": {"quality": 88, "optimize": True},
    "WEBP": {"quality": 85},
}


def clean_image(upload, *, field: str, max_side: int | None = None) -> ContentFile:
    """The upload re-encoded in its own format, or a RuleViolation naming the field."""
    limit = settings.UPLOAD_MAX_IMAGE_MB * 1024 * 1024
    if upload.size is not None and upload.size > limit:
        raise RuleViolation(
            _("The image is larger than %(mb)s MB.") % {"mb": settings.UPLOAD_MAX_IMAGE_MB},
            field=field,
        )
    upload.seek(0)
    head = upload.read(512).lstrip().lower()
    if head.startswith(b"<") or b"<svg" in head:
        raise RuleViolation(_("SVG images are not accepted; use PNG, JPEG or WebP."), field=field)
    image = _open(upload, field)
    image_format = image_format_of(image)  # transposing makes a new image without it
    image = ImageOps.exif_transpose(image)
    if max_side:
        image.thumbnail((max_side, max_side))
    return _encode(image, image_format=image_format, field=field)


def image_format_of(image: Image.Image) -> str:
    return image.format if image.format in FORMATS else "PNG"


def _open(upload, field: str) -> Image.Image:
    refused = RuleViolation(
        _("This file is not a PNG, JPEG or WebP image, or it is damaged."), field=field
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload, formats=list(FORMATS)) as probe:
                _check_pixels(probe, field)
                probe.verify()
            upload.seek(0)
            image = Image.open(upload, formats=list(FORMATS))
            image.load()
            return image
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels(field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise refused from None


def _check_pixels(image: Image.Image, field: str) -> None:
    width, height = image.size
    if width * height > settings.UPLOAD_MAX_IMAGE_PIXELS:
        raise _too_many_pixels(field)


def _too_many_pixels(field: str) -> RuleViolation:
    return RuleViolation(
        _("The image has too many pixels (at most %(mp)s megapixels).")
        % {"mp": settings.UPLOAD_MAX_IMAGE_PIXELS // 1_000_000},
        field=field,
    )


def _encode(image: Image.Image, *, image_format: str, field: str = "") -> ContentFile:
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    out = BytesIO()
    image.save(out, format=image_format, **SAVE_OPTIONS[image_format])
    return ContentFile(out.getvalue(), name=f"{uuid4().hex}.{FORMATS[image_format]}")


def thumbnail(file, *, size: int) -> ContentFile:
    """A WebP thumbnail at most `size` pixels on its longer side, from a stored clean image."""
    file.open("rb")
    try:
        with Image.open(file, formats=list(FORMATS)) as image:
            image.load()
            image.thumbnail((size, size))
            return _encode(image, image_format="WEBP")
    finally:
        file.close()
