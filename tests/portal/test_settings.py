"""Production settings refuse to start without what they need, and say what is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-production-secret-key-of-sufficient-length-123456"
HOSTS = "portal.example.org"
DEV_KEY = "django-insecure-development-only-key-never-use-in-production"


def _check(**env) -> subprocess.CompletedProcess:
    """`manage.py check` in a fresh interpreter with exactly this configuration."""
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    environment["DATABASE_URL"] = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        pytest.param({"ALLOWED_HOSTS": HOSTS}, "SECRET_KEY", id="no-secret-key"),
        pytest.param({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS", id="no-allowed-hosts"),
        pytest.param({"SECRET_KEY": "short", "ALLOWED_HOSTS": HOSTS}, "SECRET_KEY", id="short"),
        pytest.param({"SECRET_KEY": DEV_KEY, "ALLOWED_HOSTS": HOSTS}, "SECRET_KEY", id="dev-key"),
    ],
)
def test_production_settings_refuse_to_start(env, named):
    result = _check(DEBUG="false", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_production_settings_name_everything_that_is_missing():
    result = _check(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY and ALLOWED_HOSTS must be set" in result.stderr


def test_production_settings_start_when_complete():
    result = _check(DEBUG="false", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS=HOSTS)
    assert result.returncode == 0, result.stderr


def test_the_trusted_proxy_count_comes_from_the_environment():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings as s; "
            "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.REST_FRAMEWORK['NUM_PROXIES'])",
        ],
        cwd=ROOT,
        env={**os.environ, "PORTAL_TRUSTED_PROXY_COUNT": "2"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["2", "2"]
