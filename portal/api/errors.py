"""One error form for the whole API: `{"detail": "...", "code": "..."}`; every 400 also
has `fields` (the messages by field; `non_field_errors` when no one field is at fault),
and a 400 of a batch endpoint (a view with `item_errors = True`) also has `errors`."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, JsonResponse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.api.parsers import RequestTooLarge
from portal.errors import DomainError

NON_FIELD = "non_field_errors"


def first_message(errors) -> str:
    """The first message of a (possibly nested) error structure, as text: for a list of
    items, the first item that has one."""
    pending = [errors]
    while pending:
        current = pending.pop()
        if isinstance(current, dict):
            pending.extend(reversed(list(current.values())))
        elif isinstance(current, list):
            pending.extend(reversed(current))
        elif current is not None and str(current):
            return str(current)
    return gettext("Invalid input.")


def error_body(detail, code: str, *, status_code: int, fields=None) -> dict:
    """The one error form; a 400 always carries `fields`."""
    body = {"detail": str(detail), "code": code}
    if status_code == status.HTTP_400_BAD_REQUEST:
        body["fields"] = fields if fields else {NON_FIELD: [str(detail)]}
    return body


def bad_request_body(detail, *, field: str | None = None) -> dict:
    return error_body(
        detail,
        "invalid",
        status_code=status.HTTP_400_BAD_REQUEST,
        fields={field: [str(detail)]} if field else None,
    )


def json_error(body: dict, status_code: int) -> JsonResponse:
    """The error form outside DRF (middleware)."""
    return JsonResponse(body, status=status_code)


def _as_api_exception(exc):
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return exceptions.ParseError(gettext("The form has too many fields or files."))
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ParseError(gettext("The request could not be read."))
    return exc


def exception_handler(exc, context):
    view = context.get("view")
    if isinstance(exc, DomainError):
        body = error_body(
            exc.message,
            exc.code,
            status_code=exc.status_code,
            fields={exc.field: [str(exc.message)]} if exc.field else None,
        )
        return _with_item_errors(Response(body, status=exc.status_code), view)
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {NON_FIELD: exc.detail}
        response.status_code = status.HTTP_400_BAD_REQUEST
        response.data = error_body(first_message(fields), "invalid", status_code=400, fields=fields)
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = error_body(
            getattr(exc, "detail", exc),
            codes if isinstance(codes, str) else "error",
            status_code=response.status_code,
        )
    return _with_item_errors(response, view)


def _with_item_errors(response: Response, view) -> Response:
    """A batch endpoint's 400 names its bad items in `errors`: none when the batch as a
    whole is refused."""
    if response.status_code == status.HTTP_400_BAD_REQUEST and getattr(view, "item_errors", False):
        response.data.setdefault("errors", [])
    return response


@csrf_exempt  # a 404 whatever the method, for a session without a CSRF token too
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any other address under /api/v1/ (or a path parameter its route does not take)."""
    return json_error({"detail": gettext("Not found."), "code": "not_found"}, 404)
