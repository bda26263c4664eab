"""The devices API's answers match the schema it publishes: each answer is validated against
the response schema drf-spectacular generates for its endpoint (OpenAPI's `nullable` turned
into JSON Schema, no undocumented keys, formats checked), so a type the schema does not say
(`purchase_price` as a number, an empty `wipe_method`, an empty URI) fails here."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

import jsonschema
import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from devices import services
from devices.choices import WipeMethod
from tests.devices.factories import DeviceFactory, held_device, open_repair, open_return

pytestmark = pytest.mark.django_db

FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("uri")
def _absolute_uri(value) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme in ("http", "https") and parts.netloc)


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


def _json_schema(node):
    """OpenAPI 3.0 schema -> JSON Schema: `nullable` as a null alternative, components as
    $defs, every documented object closed to undocumented keys."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items() if key != "readOnly"}
    if "$ref" in node:
        node["$ref"] = "#/$defs/" + node["$ref"].rsplit("/", 1)[1]
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


def validator(openapi, path: str, method: str = "get", status: str = "200"):
    response = openapi["paths"][path][method]["responses"][status]
    schema = response["content"]["application/json"]["schema"]
    root = {"$defs": _json_schema(openapi["components"]["schemas"]), **_json_schema(schema)}
    return jsonschema.Draft202012Validator(root, format_checker=FORMATS)


def check(openapi, path: str, answer) -> None:
    assert answer.status_code == 200, answer.content
    validator(openapi, path).validate(answer.json())


@pytest.fixture
def cases(employee, logistics, department):
    """A device with a price and an open repair; a returned device before and after its wipe."""
    priced = held_device(
        holder=employee,
        desk=logistics,
        department=department,
        purchase_price=Decimal("4999.00"),
        mdm_identifier="intune-1",
        notes="Spare charger",
    )
    held_device(holder=employee, desk=logistics)  # no price, no MDM id: null and ""
    repair = open_repair(device=priced, by=employee)
    waiting = open_return(device=held_device(holder=employee, desk=logistics), by=employee)
    wiped = open_return(device=held_device(holder=employee, desk=logistics), by=employee)
    services.ship_return(by=logistics, case_id=wiped.pk)
    services.receive_return(by=logistics, case_id=wiped.pk)
    services.record_wipe(
        by=logistics, case_id=wiped.pk, method=WipeMethod.FACTORY_RESET, certificate="C-1"
    )
    return {"device": priced, "repair": repair, "waiting": waiting, "wiped": wiped}


@pytest.mark.parametrize("persona", ["logistics", "manager", "employee"])
def test_the_devices_answers_match_the_schema(persona, personas, api_client, openapi, cases):
    api_client.force_login(personas[persona])
    device = cases["device"]

    check(openapi, "/api/v1/devices/", api_client.get(reverse("api:device_list")))
    for pk in device.pk, DeviceFactory(department=device.department).pk:
        answer = api_client.get(reverse("api:device_detail", kwargs={"pk": pk}))
        if answer.status_code != 404:
            check(openapi, "/api/v1/devices/{id}/", answer)


@pytest.mark.parametrize("persona", ["logistics", "employee"])
def test_the_case_answers_match_the_schema(persona, personas, api_client, openapi, cases):
    api_client.force_login(personas[persona])

    check(openapi, "/api/v1/repair-cases/", api_client.get(reverse("api:repair_case_list")))
    check(openapi, "/api/v1/return-cases/", api_client.get(reverse("api:return_case_list")))
    repair = api_client.get(reverse("api:repair_case_detail", kwargs={"pk": cases["repair"].pk}))
    check(openapi, "/api/v1/repair-cases/{id}/", repair)
    for name in ("waiting", "wiped"):
        url = reverse("api:return_case_detail", kwargs={"pk": cases[name].pk})
        check(openapi, "/api/v1/return-cases/{id}/", api_client.get(url))


def test_the_price_is_a_decimal_string_and_an_unwiped_method_is_null(
    api_client, logistics, openapi, cases
):
    api_client.force_login(logistics)

    device = api_client.get(reverse("api:device_detail", kwargs={"pk": cases["device"].pk}))
    waiting = api_client.get(reverse("api:return_case_detail", kwargs={"pk": cases["waiting"].pk}))
    wiped = api_client.get(reverse("api:return_case_detail", kwargs={"pk": cases["wiped"].pk}))

    assert device.json()["purchase_price"] == "4999.00"
    assert waiting.json()["wipe_method"] is None
    assert wiped.json()["wipe_method"] == WipeMethod.FACTORY_RESET
    price = openapi["components"]["schemas"]["DeviceDetail"]["properties"]["purchase_price"]
    assert (price["type"], price["format"], price["nullable"]) == ("string", "decimal", True)


@pytest.mark.parametrize(
    ("path", "key", "bad"),
    [
        ("/api/v1/devices/{id}/", "purchase_price", 4999.0),
        ("/api/v1/return-cases/{id}/", "wipe_method", ""),
        ("/api/v1/return-cases/{id}/", "undocumented", 1),
    ],
)
def test_the_check_catches_what_the_schema_does_not_say(
    path, key, bad, api_client, logistics, openapi, cases
):
    """The validator itself is strict enough to catch the drifts this file guards against."""
    api_client.force_login(logistics)
    url = (
        reverse("api:device_detail", kwargs={"pk": cases["device"].pk})
        if "devices" in path
        else reverse("api:return_case_detail", kwargs={"pk": cases["waiting"].pk})
    )
    answer = api_client.get(url).json()

    with pytest.raises(jsonschema.ValidationError):
        validator(openapi, path).validate({**answer, key: bad})
