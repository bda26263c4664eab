"""Fixtures of the app store's tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_catalogue_cache():
    """Each test's rows are rolled back, the shared cache is not: no test reads the
    visible apps another test cached."""
    cache.clear()
    yield
    cache.clear()
