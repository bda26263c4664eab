"""Two reviewers claiming the same version at the same moment: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from appstore import services
from appstore.choices import VersionState
from portal.choices import Role
from portal.errors import IllegalTransition
from tests.appstore.factories import make_app, make_version
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_claiming_at_once_cannot_both_succeed(appowner):
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    services.submit_version(by=appowner, version_id=version.pk)
    reviewers = [UserFactory(roles=[Role.IT_REVIEWER]) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def claim(reviewer):
        try:
            barrier.wait(timeout=10)
            services.claim_version(by=reviewer, version_id=version.pk)
            outcomes.append("claimed")
        except IllegalTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["claimed", "refused"]
    version.refresh_from_db()
    assert version.state == VersionState.IN_REVIEW
    assert version.events.filter(to_state=VersionState.IN_REVIEW).count() == 1
