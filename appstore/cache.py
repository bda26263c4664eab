"""The catalogue in the shared cache: what an audience sees changes only when an app is
published, withdrawn or re-targeted, so the visible app ids (and what follows from them
alone) are kept per audience under one catalogue version, which those services replace.

The version is replaced at once (so the writer's own next read sees the change) and again
when the transaction commits (so nothing read before the commit stays cached under it).
"""

from __future__ import annotations

import hashlib
import json
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "appstore:catalogue-version"
TIMEOUT = 60 * 60  # an entry of an audience nobody asks for again ages out
# A cache of this process only (the development default) never hears of a change made by
# another process (a command, a worker): its entries live briefly.
LOCAL_TIMEOUT = 30


def _timeout() -> int:
    backend = settings.CACHES["default"]["BACKEND"]
    return LOCAL_TIMEOUT if backend.endswith(("LocMemCache", "DummyCache")) else TIMEOUT


def catalogue_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid4().hex, None)
        version = cache.get(VERSION_KEY) or "unversioned"
    return version


def _replace_version() -> None:
    cache.set(VERSION_KEY, uuid4().hex, None)


def catalogue_changed() -> None:
    """Every service that changes which apps an audience sees calls this in its transaction."""
    _replace_version()
    transaction.on_commit(_replace_version)


def audience_key(kind: str, *, department_path: str, roles, work_pattern: str) -> str:
    """The cache key of `kind` for an audience (department path, sorted roles, work
    pattern) at the current catalogue version."""
    audience = [department_path, sorted(roles), work_pattern, catalogue_version()]
    digest = hashlib.sha256(json.dumps(audience).encode()).hexdigest()[:32]
    return f"appstore:{kind}:{digest}"


def cached(key: str, compute):
    """The value under `key`, computed and stored once when missing."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, _timeout())
    return value
