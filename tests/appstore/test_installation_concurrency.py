"""Twenty MDM batches of the same installations at the same moment, in the same or a
shuffled order: none ends in a database error. Each is written (200) or, at worst,
refused as a conflict to send again (409 in the API's error form), and the rows end up
one per person, app and platform."""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from appstore import services
from appstore.choices import Platform
from appstore.models import Installation
from portal import services as portal_services
from portal.choices import ApiScope
from portal.errors import Conflict
from tests.appstore.factories import make_app, publish
from tests.factories import UserFactory

THREADS = 20
INSTALLATIONS = "/api/v1/installations/"


@pytest.fixture
def fifty_items(appowner, reviewer, department):
    """50 items (5 people, 5 apps, 2 platforms) reporting version 1.1.0."""
    platforms = (Platform.ANDROID, Platform.IOS)
    apps = []
    for number in range(5):
        app = make_app(owner=appowner, name=f"Race app {number}")
        publish(owner=appowner, reviewer=reviewer, app=app, platforms=platforms)
        publish(owner=appowner, reviewer=reviewer, app=app, platforms=platforms, version="1.1.0")
        apps.append(app)
    people = [UserFactory(username=f"racer{n}", department=department) for n in range(5)]
    items = [
        {"user": person.username, "app": app.slug, "platform": platform, "version": "1.1.0"}
        for person in people
        for app in apps
        for platform in platforms
    ]
    return items


def _report_earlier_versions(items) -> None:
    """The first two people already have 1.0.0: a batch then both updates and creates."""
    earlier = [
        {**item, "version": "1.0.0"} for item in items if item["user"] in {"racer0", "racer1"}
    ]
    services.report_installations(reports=services.mdm_reports(earlier))


def _batches(items) -> list[list[dict]]:
    """Half the batches in the items' order, half shuffled (a fixed seed per batch)."""
    batches = []
    for number in range(THREADS):
        batch = list(items)
        if number % 2:
            random.Random(number).shuffle(batch)
        batches.append(batch)
    return batches


def _run_together(work, batches) -> None:
    barrier = threading.Barrier(len(batches))

    def run(batch):
        try:
            barrier.wait(timeout=30)
            work(batch)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def _assert_one_row_each(items) -> None:
    keys = list(Installation.objects.values_list("user__username", "app__slug", "platform"))
    assert sorted(keys) == sorted((i["user"], i["app"], i["platform"]) for i in items)
    assert set(Installation.objects.values_list("version__version", flat=True)) == {"1.1.0"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_installation_batches_never_end_in_a_database_error(fifty_items):
    _report_earlier_versions(fifty_items)
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def report(batch):
        try:
            services.report_installations(reports=services.mdm_reports(batch))
            outcomes.append("written")
        except Conflict as refusal:
            assert refusal.status_code == 409
            outcomes.append("refused")
        except BaseException as error:  # noqa: BLE001 - any other error fails the test
            failures.append(error)

    _run_together(report, _batches(fifty_items))
    assert failures == []
    assert len(outcomes) == THREADS
    # Locking in one order makes them wait for each other: without it, even with the
    # retry, about half are refused.
    assert outcomes.count("refused") <= THREADS // 10
    _assert_one_row_each(fifty_items)


@pytest.mark.django_db(transaction=True)
def test_concurrent_installation_posts_answer_200_or_a_409_in_the_error_form(
    fifty_items, logistics, monkeypatch
):
    """Reading and checking a request takes a while; so that the batches reach the
    service together, each waits for the others once its items are looked up."""
    looked_up = threading.Barrier(THREADS)
    lookup = services.mdm_reports

    def lookup_then_wait(items):
        reports = lookup(items)
        looked_up.wait(timeout=60)
        return reports

    monkeypatch.setattr(services, "mdm_reports", lookup_then_wait)
    _token, raw = portal_services.create_api_token(
        name="MDM", user=logistics, scopes=[ApiScope.INSTALLATIONS_WRITE], by=None
    )
    answers: list[tuple[int, dict]] = []
    failures: list[BaseException] = []

    def post(batch):
        try:
            response = APIClient().post(
                INSTALLATIONS,
                {"installations": batch},
                format="json",
                HTTP_AUTHORIZATION=f"Bearer {raw}",
            )
            answers.append((response.status_code, response.json()))
        except BaseException as error:  # noqa: BLE001 - a 500 is raised by the test client
            failures.append(error)

    _run_together(post, _batches(fifty_items))
    assert failures == []
    assert len(answers) == THREADS
    for status_code, body in answers:
        assert status_code in (200, 409), body
        if status_code == 409:
            assert set(body) == {"detail", "code"}
            assert body["code"] == "conflict"
    assert [status_code for status_code, _body in answers].count(409) <= THREADS // 10
    _assert_one_row_each(fifty_items)


@pytest.mark.django_db
def test_the_schema_documents_the_installations_conflict(client):
    schema = client.get("/api/schema/?format=json").json()
    answers = schema["paths"][INSTALLATIONS]["post"]["responses"]
    assert answers["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
