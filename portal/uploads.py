"""Images people upload (app icons, screenshots, repair photos): validated with Pillow
and re-encoded, so only a clean PNG, JPEG or WebP is ever stored.

Re-encoding drops metadata (EXIF location, comments) and anything smuggled after the
image data. SVG is never accepted: served from our origin it could run scripts.

The work is bounded before anything is decoded: the file size, then the pixel count from
the image's header (Pillow opens lazily), against UPLOAD_MAX_IMAGE_PIXELS or a lower limit
of the caller (icons). A JPEG much larger than needed is decoded at 1/2, 1/4 or 1/8 of its
size (draft mode), and the encoders use their moderate settings.
"""

from __future__ import annotations

import warnings
from io import BytesIO
from math import isqrt
from uuid import uuid4

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.errors import RuleViolation

FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
# Moderate encoder settings: `optimize` (PNG zlib level 9) and WebP's default method 4
# took up to twice the time on a large screenshot for files at most 4 per cent smaller.
SAVE_OPTIONS = {
    "PNG": {"compress_level": 6},
    "JPEG": {"quality": 88, "optimize": True},
    "WEBP": {"quality": 85, "method": 2},
}


def clean_image(
    upload, *, field: str, max_side: int | None = None, max_pixels: int | None = None
) -> ContentFile:
    """The upload re-encoded in its own format (at most `max_side` pixels on its longer
    side), or a RuleViolation naming the field. An image with more pixels than
    UPLOAD_MAX_IMAGE_PIXELS (or `max_pixels`, when lower) is refused from its header."""
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
    pixels = min(settings.UPLOAD_MAX_IMAGE_PIXELS, max_pixels or settings.UPLOAD_MAX_IMAGE_PIXELS)
    image = _open(upload, field, max_pixels=pixels, max_side=max_side)
    image_format = image_format_of(image)
    ImageOps.exif_transpose(image, in_place=True)
    if max_side:
        image.thumbnail((max_side, max_side))
    return _encode(image, image_format=image_format, field=field)


def image_format_of(image: Image.Image) -> str:
    return image.format if image.format in FORMATS else "PNG"


def _open(upload, field: str, *, max_pixels: int, max_side: int | None) -> Image.Image:
    """The decoded image, after its header's size was checked; a JPEG far larger than
    `max_side` is decoded at a reduced scale."""
    refused = RuleViolation(
        _("This file is not a PNG, JPEG or WebP image, or it is damaged."), field=field
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload, formats=list(FORMATS)) as probe:
                _check_pixels(probe, field, max_pixels)
                probe.verify()
            upload.seek(0)
            image = Image.open(upload, formats=list(FORMATS))
            if max_side and image.format == "JPEG":
                image.draft(image.mode, (max_side, max_side))
            image.load()
            return image
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels(field, max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise refused from None


def _check_pixels(image: Image.Image, field: str, max_pixels: int) -> None:
    """The size an image's header declares, checked before any pixel is decoded."""
    width, height = image.size
    if width * height > max_pixels:
        raise _too_many_pixels(field, max_pixels)


def _too_many_pixels(field: str, max_pixels: int) -> RuleViolation:
    side = isqrt(max_pixels)
    return RuleViolation(
        _("The image has too many pixels: at most %(pixels)s (%(side)s × %(side)s).")
        % {"pixels": number_format(max_pixels, force_grouping=True), "side": side},
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
            image.thumbnail((size, size))  # decodes a JPEG in draft mode when it can
            return _encode(image, image_format="WEBP")
    finally:
        file.close()
