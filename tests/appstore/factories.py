"""Apps and versions made through the services, as an owner would."""

from __future__ import annotations

from itertools import count

from appstore import services
from appstore.choices import Category, CheckResult, DataClassification, Platform
from appstore.models import ChecklistItem

_numbers = count(1)


def make_app(*, owner, **fields):
    defaults = {
        "name": f"Inspection app {next(_numbers)}",
        "summary": "Work orders on the go",
        "category": Category.TECHNICAL,
        "support_contact": "support@example.org",
        "audience_everyone": True,
    }
    return services.create_app(by=owner, **{**defaults, **fields})


def make_version(*, owner, app, version="1.0.0", platforms=(Platform.ANDROID,), **answers):
    """A draft with a store artefact per platform (a web address for the web platform)."""
    defaults = {
        "release_notes": "First release.",
        "data_classification": DataClassification.INTERNAL,
    }
    draft = services.add_version(
        by=owner, app_id=app.pk, version=version, **{**defaults, **answers}
    )
    for platform in platforms:
        add_store_artifact(owner=owner, version=draft, platform=platform)
    return draft


def add_store_artifact(*, owner, version, platform=Platform.ANDROID):
    if platform == Platform.WEB:
        route = {"web_url": f"https://apps.example.org/{version.app.slug}/"}
    else:
        route = {
            "mdm_identifier": f"org.example.{version.app.slug.replace('-', '')}",
            "store_url": f"https://mdm.example.org/apps/{version.app.slug}/{platform}",
        }
    return services.add_artifact(by=owner, version_id=version.pk, platform=platform, **route)


def publish(*, owner, reviewer, app, version="1.0.0", **kwargs):
    """A version taken through submission, review and approval (published on approval)."""
    draft = make_version(owner=owner, app=app, version=version, **kwargs)
    services.submit_version(by=owner, version_id=draft.pk)
    services.claim_version(by=reviewer, version_id=draft.pk)
    pass_checklist(reviewer=reviewer, version=draft)
    services.approve_version(by=reviewer, version_id=draft.pk)
    draft.refresh_from_db()
    return draft


TEST_CHECKLIST = [
    ("Uses the organisation's single sign-on", True),
    ("Support contact set", True),
    ("Nice to have: dark mode", False),
]


def ensure_checklist():
    """A known checklist: two required items and one optional one, and no other active."""
    texts = [text for text, _required in TEST_CHECKLIST]
    ChecklistItem.objects.exclude(text__in=texts).update(is_active=False)
    for position, (text, required) in enumerate(TEST_CHECKLIST, start=1):
        ChecklistItem.objects.update_or_create(
            text=text, defaults={"is_required": required, "position": position, "is_active": True}
        )
    return list(ChecklistItem.objects.filter(is_active=True).order_by("position"))


def pass_checklist(*, reviewer, version):
    answers = {item.pk: (CheckResult.PASS, "") for item in ensure_checklist()}
    services.record_checklist(by=reviewer, version_id=version.pk, answers=answers)


def image_upload(name="icon.png", *, size=(64, 64), image_format="PNG", exif=None):
    """A real image as an upload, optionally with EXIF (e.g. a GPS location)."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = BytesIO()
    image = Image.new("RGB", size, (20, 110, 160))
    options = {"exif": exif} if exif is not None else {}
    image.save(out, format=image_format, **options)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}[image_format]
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)


def package_upload(name="app.apk", *, marker="AndroidManifest.xml", extra_bytes=0):
    """A minimal real package: a ZIP holding the file its type always has."""
    import zipfile
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile

    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(marker if not marker.endswith("/") else f"{marker}App.app/Info.plist", "x")
        if extra_bytes:
            archive.writestr(
                "assets/blob.bin", b"\0" * extra_bytes, compress_type=zipfile.ZIP_STORED
            )
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


def publish_draft(*, owner, reviewer, version):
    """An existing draft (e.g. one with an uploaded package) taken through review."""
    services.submit_version(by=owner, version_id=version.pk)
    services.claim_version(by=reviewer, version_id=version.pk)
    pass_checklist(reviewer=reviewer, version=version)
    services.approve_version(by=reviewer, version_id=version.pk)
    version.refresh_from_db()
    return version
