"""The API answers as its OpenAPI schema says, for generated requests (schemathesis): no
5xx, only documented status codes and content types, and every body valid against its
schema. Bounded and deterministic: a few examples per operation, a fixed seed.

Three identities: an employee's session (with its CSRF token), the logistics desk's
session, and an MDM's API token with catalogue:read, installations:write and
inventory:write. Requests go to the WSGI application in-process, inside the test's
transaction."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import GenerationMode

from appstore.choices import Platform
from devices import services as device_services
from devices.choices import ReturnReason
from portal import services
from portal.choices import ApiScope
from portal.wsgi import application
from tests.appstore.factories import make_app, publish
from tests.devices.factories import held_device, open_repair

pytestmark = pytest.mark.django_db

EXAMPLES = 4  # per operation and generation mode
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
# The identity's credentials are sent as they are: none generated from the security schemes.
CONFIG = schemathesis.Config.from_dict(
    {"generation": {"with-security-parameters": False, "deterministic": True}}
)
CSRF = "c" * 32  # a CSRF secret sent as both the cookie and the header
MDM_SCOPES = (ApiScope.CATALOGUE_READ, ApiScope.INSTALLATIONS_WRITE, ApiScope.INVENTORY_WRITE)


@pytest.fixture
def wsgi_app():
    """The WSGI application, without closing the test's database connection at the start
    and end of each request (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def known(employee, logistics, appowner, reviewer) -> dict[str, dict]:
    """Something in every list (a published app, devices the employee holds, a repair and
    a return case), and the path parameters of each operation that reach them."""
    app = make_app(owner=appowner, name="Vanninspeksjon")
    version = publish(
        owner=appowner, reviewer=reviewer, app=app, platforms=(Platform.ANDROID, Platform.WEB)
    )
    device = held_device(holder=employee, desk=logistics)
    repair = open_repair(device=device, by=employee)
    leaving = held_device(holder=employee, desk=logistics)
    returned = device_services.request_return(
        by=employee, device_id=leaving.pk, reason=ReturnReason.UPGRADE
    )
    return {
        "/api/v1/apps/": {"slug": app.slug},
        "/api/v1/devices/": {"id": device.pk},
        "/api/v1/repair-cases/": {"id": repair.pk},
        "/api/v1/return-cases/": {"id": returned.pk},
        "/api/v1/submissions/": {"id": version.pk},
        "/api/v1/packages/": {"artifact_id": version.artifacts.first().pk},
    }


def _known_parameters(known: dict, operation) -> dict | None:
    """Path parameters of real objects, for an operation that has any."""
    if "{" not in operation.path:
        return None
    for prefix, parameters in known.items():
        if operation.path.startswith(prefix):
            return parameters
    return None


def _session(user) -> dict:
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    return {"cookies": {"sessionid": session, "csrftoken": CSRF}, "headers": {"X-CSRFToken": CSRF}}


def _mdm_token(user) -> dict:
    _token, raw = services.create_api_token(name="MDM", user=user, scopes=MDM_SCOPES, by=None)
    return {"cookies": {}, "headers": {"Authorization": f"Bearer {raw}"}}


IDENTITIES = {
    "employee": lambda personas: _session(personas["employee"]),
    "desk": lambda personas: _session(personas["logistics"]),
    "mdm": lambda personas: _mdm_token(personas["logistics"]),
}


def _exercise(operation, mode, wsgi_app, identity: dict, path_parameters=None) -> None:
    @seed(20261201)
    @settings(
        max_examples=EXAMPLES,
        phases=[Phase.explicit, Phase.generate],
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case):
        case.call_and_validate(
            app=wsgi_app,
            headers=identity["headers"],
            cookies=identity["cookies"],
            checks=CHECKS,
        )

    run()


@pytest.mark.parametrize("who", list(IDENTITIES))
def test_every_operation_answers_as_the_schema_says(wsgi_app, personas, known, who):
    """Valid requests and (where there is a query or a body) invalid ones, on real objects
    where a path names one."""
    identity = IDENTITIES[who](personas)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app, config=CONFIG)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        real = _known_parameters(known, operation)
        _exercise(operation, GenerationMode.POSITIVE, wsgi_app, identity, real)
        if len(operation.query) or len(operation.body):  # something to get wrong
            _exercise(operation, GenerationMode.NEGATIVE, wsgi_app, identity, real)
