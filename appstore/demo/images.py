"""The demo catalogue's files, drawn with Pillow: app icons, phone screenshots and one
real (tiny) Android package."""

from __future__ import annotations

import zipfile
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from appstore.demo.data import CATEGORY_COLOURS


def _png(image: Image.Image, name: str) -> SimpleUploadedFile:
    out = BytesIO()
    image.save(out, format="PNG", optimize=False)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def icon(name: str, category: str) -> SimpleUploadedFile:
    """A 256 px rounded square in the category's colour with the app's initials."""
    image = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 255, 255), radius=56, fill=CATEGORY_COLOURS[category])
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    font = ImageFont.load_default(size=112)
    draw.text((128, 128), initials, font=font, fill="white", anchor="mm")
    return _png(image, "icon.png")


def screenshot(name: str, category: str, rows: int) -> SimpleUploadedFile:
    """A phone-shaped mock screen: a title bar in the category's colour and list rows."""
    colour = CATEGORY_COLOURS[category]
    image = Image.new("RGB", (360, 740), (236, 238, 242))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 355, 735), radius=40, fill="white", outline=(30, 30, 30), width=8)
    draw.rectangle((12, 60, 347, 130), fill=colour)
    draw.text((30, 95), name, font=ImageFont.load_default(size=24), fill="white", anchor="lm")
    for row in range(rows):
        top = 150 + row * 84
        draw.rounded_rectangle((28, top, 331, top + 68), radius=12, fill=(244, 245, 248))
        draw.ellipse((40, top + 14, 80, top + 54), fill=colour)
        draw.rectangle((96, top + 18, 300 - row * 12, top + 30), fill=(150, 155, 165))
        draw.rectangle((96, top + 40, 240, top + 50), fill=(200, 203, 210))
    return _png(image, "screenshot.png")


def apk() -> SimpleUploadedFile:
    """The smallest real Android package: a ZIP holding an AndroidManifest.xml."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("AndroidManifest.xml", "<manifest package='no.nordvik.demo'/>")
        archive.writestr("classes.dex", b"dex\n035\0")
    return SimpleUploadedFile(
        "sewer-camera-log.apk", out.getvalue(), content_type="application/octet-stream"
    )
