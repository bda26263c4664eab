"""Every page carries a Content Security Policy that allows no inline or foreign script,
and no page of ours needs one: the API docs load their start-up script as a file."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portal.csp import content_security_policy

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize(
    "url", ["/", "/accounts/login/", "/apps/", "/devices/", "/api/docs/", "/admin/login/"]
)
def test_pages_carry_a_policy_without_inline_or_foreign_scripts(client_for, employee, url):
    response = client_for(employee).get(url, follow=True)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert "camera=()" in response["Permissions-Policy"]
    html = response.content.decode()
    inline = [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]
    assert all('type="application/json"' in tag for tag in inline), inline
    assert not re.search(r"\son[a-z]+=\"", html), "an inline event handler needs unsafe-inline"


def test_the_api_docs_start_up_script_is_a_file_of_the_same_origin(client):
    html = client.get("/api/docs/").content.decode()
    [script_url] = [
        url for url in re.findall(r'<script src="([^"]+)"', html) if "script" in url.split("?")[-1]
    ]
    assert script_url.startswith("/api/docs/?")
    script = client.get(script_url)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_sign_in_may_post_on_to_the_sso_server_only():
    apps = [{"settings": {"server_url": "https://id.example.org/realms/staff"}}]
    form_action = _directives(content_security_policy(apps))["form-action"]
    assert form_action == ["'self'", "https://id.example.org"]
    assert _directives(content_security_policy([]))["form-action"] == ["'self'"]


def test_the_policy_can_be_replaced_or_switched_off(client, settings):
    settings.CONTENT_SECURITY_POLICY = "default-src 'self' https://cdn.example.org"
    assert "cdn.example.org" in client.get(reverse("account_login"))["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = ""
    assert "Content-Security-Policy" not in client.get(reverse("account_login"))
