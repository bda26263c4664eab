"""/healthz, and the settings that must refuse to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal import health

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
def test_healthz_names_the_database_when_it_fails(client, monkeypatch):
    def broken():
        raise OSError("connection refused")

    monkeypatch.setattr(health, "check_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]


@pytest.mark.django_db
def test_healthz_names_the_broker_when_it_does_not_answer(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["database"] == "ok"


def _check(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    environment.update(env)
    environment.setdefault("DATABASE_URL", os.environ.get("DATABASE_URL", ""))
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


GOOD_KEY = "k" * 20 + "-production-secret-key-of-sufficient-length-123456"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ALLOWED_HOSTS": "portal.example.org"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "portal.example.org"}, "SECRET_KEY"),
    ],
)
def test_production_settings_refuse_to_start_without_secrets(env, named):
    result = _check(DEBUG="false", **env)
    assert result.returncode != 0
    assert named in result.stderr


def test_production_settings_start_when_complete():
    result = _check(DEBUG="false", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="portal.example.org")
    assert result.returncode == 0, result.stderr
