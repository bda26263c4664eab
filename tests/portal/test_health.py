"""/healthz: what a load balancer asks before sending people to this process."""

from __future__ import annotations

import os

import pytest

from portal import health

pytestmark = pytest.mark.django_db

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"
REDIS_URL = os.environ.get("PORTAL_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_healthz_is_ok_when_the_database_answers(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_is_never_cached(client):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]


def test_healthz_names_the_database_when_it_fails(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = ""

    def broken():
        raise OSError("connection refused")

    monkeypatch.setattr(health, "check_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == "error: OSError"


def test_healthz_names_the_broker_when_it_does_not_answer(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["database"] == "ok"


def test_healthz_checks_a_broker_that_answers(client, settings):
    if not _redis_answers():
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    settings.CELERY_BROKER_URL = REDIS_URL
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_healthz_names_both_when_both_fail(client, settings, monkeypatch):
    def broken():
        raise ConnectionRefusedError

    monkeypatch.setattr(health, "check_database", broken)
    monkeypatch.setattr(health, "check_broker", broken)
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker", "database"]


def test_healthz_answers_only_get(client):
    assert client.post("/healthz").status_code == 405
