"""Single sign-on: a generic OpenID Connect provider configured from the environment."""

from __future__ import annotations

from collections.abc import Mapping


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def oidc_apps(environ: Mapping[str, str]) -> list[dict]:
    """allauth `openid_connect` APPS entries; empty unless OIDC_CLIENT_ID is set."""
    client_id = environ.get("OIDC_CLIENT_ID", "")
    if not client_id:
        return []
    server_url = environ.get("OIDC_SERVER_URL", "")
    if not server_url:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("OIDC_CLIENT_ID is set, so OIDC_SERVER_URL must be set too.")
    scopes = environ.get("OIDC_SCOPES", "openid,profile,email")
    return [
        {
            "provider_id": environ.get("OIDC_PROVIDER_ID", "sso"),
            "name": environ.get("OIDC_PROVIDER_NAME", "Single sign-on"),
            "client_id": client_id,
            "secret": environ.get("OIDC_CLIENT_SECRET", ""),
            "settings": {
                "server_url": server_url,
                "oauth_pkce_enabled": _flag(environ.get("OIDC_PKCE"), True),
                "scope": [scope.strip() for scope in scopes.split(",") if scope.strip()],
            },
        }
    ]
