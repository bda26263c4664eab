"""Real bad files against the upload rules: refused with a clear message, nothing stored."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from appstore import services
from appstore.choices import Platform
from appstore.models import App, AppArtifact, AppScreenshot
from portal.errors import RuleViolation
from tests.appstore.factories import image_upload, make_app, make_version, package_upload

pytestmark = pytest.mark.django_db


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int = 30_000) -> bytes:
    """A small file that declares side x side pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    row = b"\0" + b"\0" * side
    data = zlib.compress(row * 64, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


def truncated_png() -> bytes:
    whole = image_upload(size=(300, 300)).read()
    return whole[: len(whole) // 2]


BAD_IMAGES = {
    "decompression bomb": ("bomb.png", bomb_png(), "too many pixels"),
    "svg": ("icon.svg", SVG, "SVG"),
    "svg named png": ("icon.png", SVG, "SVG"),
    "truncated png": ("icon.png", truncated_png(), "damaged"),
    "text named png": ("icon.png", b"GIF89a not really an image at all", "not a PNG"),
}


def _stored_files(settings) -> list[Path]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)]
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("case", sorted(BAD_IMAGES))
def test_a_bad_icon_is_refused_and_no_app_is_created(case, appowner, settings):
    name, content, message = BAD_IMAGES[case]
    with pytest.raises(RuleViolation) as refused:
        make_app(owner=appowner, icon=SimpleUploadedFile(name, content))
    assert refused.value.field == "icon"
    assert message.lower() in str(refused.value).lower()
    assert not App.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.parametrize("case", sorted(BAD_IMAGES))
def test_a_bad_screenshot_is_refused_and_nothing_is_stored(case, appowner, settings):
    app = make_app(owner=appowner)
    draft = make_version(owner=appowner, app=app)
    name, content, _message = BAD_IMAGES[case]
    with pytest.raises(RuleViolation):
        services.add_screenshot(
            by=appowner,
            version_id=draft.pk,
            image=SimpleUploadedFile(name, content),
            alt_text="The visit list",
        )
    assert not AppScreenshot.objects.exists()
    assert _stored_files(settings) == []


def test_an_oversized_image_is_refused_before_it_is_read(appowner, settings):
    settings.UPLOAD_MAX_IMAGE_MB = 0
    with pytest.raises(RuleViolation, match="larger than"):
        make_app(owner=appowner, icon=image_upload())
    assert not App.objects.exists()


def test_icon_is_re_encoded_without_its_gps_location_and_gets_a_thumbnail(appowner):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (59.0, 54.0, 0.0)}  # GPSInfo: latitude
    exif[0x010F] = "Phone maker"
    app = make_app(owner=appowner, icon=image_upload("me.jpg", image_format="JPEG", exif=exif))
    app.refresh_from_db()
    with Image.open(app.icon.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
    # The thumbnail task ran (eagerly, after the commit of the test's transaction would
    # happen): run it as the worker would and check it is made once.
    assert services.make_icon_thumbnail(app_id=app.pk) in (True, False)
    app.refresh_from_db()
    with Image.open(app.icon_thumbnail.path) as small:
        assert small.format == "WEBP"
        assert max(small.size) <= 128
    assert services.make_icon_thumbnail(app_id=app.pk) is False


def test_a_jpeg_named_png_is_stored_as_what_it_is(appowner):
    app = make_app(owner=appowner, icon=image_upload("icon.png", image_format="JPEG"))
    assert app.icon.name.endswith(".jpg")


def test_a_large_icon_is_scaled_down(appowner):
    app = make_app(owner=appowner, icon=image_upload(size=(1024, 512)))
    with Image.open(app.icon.path) as stored:
        assert stored.size == (512, 256)


# --- the work an image may cost ---------------------------------------------------------


@pytest.fixture
def decoded_sizes(monkeypatch):
    """The sizes at which Pillow decoded images (each `load()` of an opened file)."""
    from PIL import ImageFile

    sizes = []
    load = ImageFile.ImageFile.load

    def spy(image):
        if getattr(image, "_im", None) is None:  # not decoded yet
            sizes.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return sizes


def test_the_default_pixel_limit_is_4096_by_4096(settings):
    assert settings.UPLOAD_MAX_IMAGE_PIXELS == 4096 * 4096


def test_an_image_over_the_pixel_limit_is_refused_from_its_header_before_decoding(
    appowner, decoded_sizes
):
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    with pytest.raises(RuleViolation) as refused:
        services.add_screenshot(
            by=appowner,
            version_id=version.pk,
            image=SimpleUploadedFile("wide.png", bomb_png(4097)),
            alt_text="The visit list",
        )
    assert str(refused.value) == (
        "The image has too many pixels: at most 16,777,216 (4096 × 4096)."
    )
    assert decoded_sizes == [] and not AppScreenshot.objects.exists()


def test_the_pixel_limit_is_the_setting(appowner, settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 200 * 100
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    accepted = services.add_screenshot(
        by=appowner, version_id=version.pk, image=image_upload(size=(200, 100)), alt_text="A"
    )
    with pytest.raises(RuleViolation, match="too many pixels"):
        services.add_screenshot(
            by=appowner, version_id=version.pk, image=image_upload(size=(201, 100)), alt_text="B"
        )
    assert list(AppScreenshot.objects.all()) == [accepted]


def test_an_icon_is_at_most_1024_by_1024_while_a_screenshot_may_be_larger(appowner):
    with pytest.raises(RuleViolation, match=r"too many pixels.*1024 × 1024") as refused:
        make_app(owner=appowner, icon=image_upload(size=(1025, 1024)))
    assert refused.value.field == "icon" and not App.objects.exists()
    app = make_app(owner=appowner, icon=image_upload(size=(1024, 1024)))
    version = make_version(owner=appowner, app=app)
    shot = services.add_screenshot(
        by=appowner, version_id=version.pk, image=image_upload(size=(1025, 1024)), alt_text="A"
    )
    with Image.open(shot.image.path) as stored:
        assert stored.size == (1025, 1024)


def test_a_large_jpeg_icon_is_decoded_at_the_size_it_is_stored(appowner, decoded_sizes):
    app = make_app(
        owner=appowner, icon=image_upload("icon.jpg", size=(1024, 1024), image_format="JPEG")
    )
    assert decoded_sizes == [(512, 512)]
    with Image.open(app.icon.path) as stored:
        assert stored.size == (512, 512)


def test_a_12_megapixel_phone_photo_is_accepted_turned_upright_and_scaled_down():
    """Fault photos from phones go through the same checks (devices' repair service)."""
    from portal.uploads import clean_image

    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was held upright, the pixels lie sideways
    photo = image_upload("IMG_0001.jpg", size=(4032, 3024), image_format="JPEG", exif=exif)

    clean = clean_image(photo, field="photos", max_side=2400)

    with Image.open(clean) as stored:
        assert (stored.format, stored.size) == ("JPEG", (1800, 2400))
        assert not stored.getexif()


BAD_PACKAGES = {
    "png named apk": (Platform.ANDROID, "app.apk", lambda: image_upload("app.apk").read(), "real"),
    "zip without manifest": (
        Platform.ANDROID,
        "app.apk",
        lambda: package_upload("x.apk", marker="readme.txt").read(),
        "real",
    ),
    "ipa for android": (
        Platform.ANDROID,
        "app.ipa",
        lambda: package_upload("app.ipa", marker="Payload/").read(),
        "for iOS",
    ),
    "exe": (Platform.WINDOWS, "setup.exe", lambda: b"MZ\x90\x00", ".apk, .ipa, .msix"),
}


@pytest.mark.parametrize("case", sorted(BAD_PACKAGES))
def test_a_bad_package_is_refused_and_nothing_is_stored(case, appowner, settings):
    app = make_app(owner=appowner)
    draft = make_version(owner=appowner, app=app, platforms=())
    platform, name, content, message = BAD_PACKAGES[case]
    with pytest.raises(RuleViolation) as refused:
        services.add_artifact(
            by=appowner,
            version_id=draft.pk,
            platform=platform,
            package=SimpleUploadedFile(name, content()),
        )
    assert refused.value.field == "package"
    assert message.lower() in str(refused.value).lower()
    assert not AppArtifact.objects.exists()
    assert _stored_files(settings) == []


def test_an_oversized_package_is_refused(appowner, settings):
    settings.APPSTORE_MAX_PACKAGE_MB = 1
    app = make_app(owner=appowner)
    draft = make_version(owner=appowner, app=app, platforms=())
    with pytest.raises(RuleViolation, match="larger than 1 MB"):
        services.add_artifact(
            by=appowner,
            version_id=draft.pk,
            platform=Platform.ANDROID,
            package=package_upload(extra_bytes=1024 * 1024 + 1),
        )
    assert not AppArtifact.objects.exists()
    assert _stored_files(settings) == []


def test_a_package_is_kept_privately_with_its_sha256(appowner, settings):
    import hashlib

    app = make_app(owner=appowner)
    draft = make_version(owner=appowner, app=app, platforms=())
    upload = package_upload("Visit log.apk")
    expected = hashlib.sha256(upload.read()).hexdigest()
    upload.seek(0)
    artifact = services.add_artifact(
        by=appowner, version_id=draft.pk, platform=Platform.ANDROID, package=upload
    )
    assert artifact.package_sha256 == expected
    assert artifact.package_name == "Visit_log.apk"
    assert Path(artifact.package.path).is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    with pytest.raises(ValueError):
        artifact.package.url  # noqa: B018 - a private file has no public URL
    assert artifact.kind == "package"


def test_a_web_app_needs_its_address_and_nothing_else(appowner):
    app = make_app(owner=appowner)
    draft = make_version(owner=appowner, app=app, platforms=())
    with pytest.raises(RuleViolation, match="web address"):
        services.add_artifact(by=appowner, version_id=draft.pk, platform=Platform.WEB)
    with pytest.raises(RuleViolation):
        services.add_artifact(
            by=appowner,
            version_id=draft.pk,
            platform=Platform.WEB,
            web_url="https://apps.example.org/x/",
            mdm_identifier="org.example.x",
        )
    with pytest.raises(RuleViolation, match="store or MDM"):
        services.add_artifact(by=appowner, version_id=draft.pk, platform=Platform.IOS)
    assert not AppArtifact.objects.exists()


def test_screenshots_need_a_description_for_screen_readers(appowner):
    app = make_app(owner=appowner)
    draft = make_version(owner=appowner, app=app)
    with pytest.raises(RuleViolation) as refused:
        services.add_screenshot(
            by=appowner, version_id=draft.pk, image=image_upload(), alt_text=" "
        )
    assert refused.value.field == "alt_text"
    shot = services.add_screenshot(
        by=appowner, version_id=draft.pk, image=image_upload(), alt_text="Today's visits"
    )
    assert shot.position == 1


def test_nothing_changes_on_a_version_once_it_is_submitted(appowner):
    from portal.errors import Conflict

    app = make_app(owner=appowner)
    draft = make_version(owner=appowner, app=app)
    services.submit_version(by=appowner, version_id=draft.pk)
    with pytest.raises(Conflict):
        services.add_screenshot(
            by=appowner, version_id=draft.pk, image=image_upload(), alt_text="Late addition"
        )
    with pytest.raises(Conflict):
        services.update_version(by=appowner, version_id=draft.pk, release_notes="Sneaky")
