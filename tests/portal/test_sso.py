"""OpenID Connect single sign-on, switched on from environment variables alone."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.sso import oidc_apps

KEYCLOAK = {
    "OIDC_CLIENT_ID": "portal",
    "OIDC_CLIENT_SECRET": "s3cret",
    "OIDC_SERVER_URL": "https://id.example.org/realms/staff",
    "OIDC_PROVIDER_NAME": "Nordvik ID",
}


def test_no_client_id_means_no_sso():
    assert oidc_apps({}) == []


def test_environment_configures_a_pkce_provider():
    (app,) = oidc_apps(KEYCLOAK)
    assert app["provider_id"] == "sso"
    assert app["settings"] == {
        "server_url": "https://id.example.org/realms/staff",
        "oauth_pkce_enabled": True,
        "scope": ["openid", "profile", "email"],
    }


def test_a_client_id_without_a_server_url_stops_start_up():
    with pytest.raises(ImproperlyConfigured, match="OIDC_SERVER_URL"):
        oidc_apps({"OIDC_CLIENT_ID": "portal"})


@pytest.mark.django_db
def test_sign_in_page_offers_the_configured_provider(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": oidc_apps(KEYCLOAK)}}
    html = client.get("/accounts/login/").content.decode()
    assert "Nordvik ID" in html
    assert "/accounts/oidc/sso/login/" in html


@pytest.mark.django_db
def test_sign_in_page_has_no_provider_button_without_sso(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    assert "/accounts/oidc/" not in client.get("/accounts/login/").content.decode()
