"""The Content Security Policy, built from settings (no Django imports: settings use it)."""

from __future__ import annotations

from urllib.parse import urlsplit


def content_security_policy(sso_apps: list[dict]) -> str:
    """Scripts only from this origin (no page has an inline script; the API docs load
    theirs as a file); inline style attributes allowed; images also from data: and blob:
    URLs (QR codes, photo previews); sign-in forms may post on to the SSO servers."""
    sso_origins = sorted(
        {
            "{0.scheme}://{0.netloc}".format(urlsplit(app["settings"]["server_url"]))
            for app in sso_apps
        }
    )
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            " ".join(["form-action 'self'", *sso_origins]),
            "frame-ancestors 'none'",
        ]
    )
