"""Where uploaded files live: public media (icons, screenshots) and private files
(app packages, repair photos) that only a permission-checked view may serve."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages


class PrivateFileStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT, with no public URL."""

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a view.")


def private_storage():
    """The `private` storage of STORAGES (local disk, or a private S3 prefix)."""
    return storages["private"]
