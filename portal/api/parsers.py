"""Request parsers of the API: a JSON body is bounded in size and nesting, and no body
carries a NUL character (PostgreSQL cannot store one; each is a 400, not a 500).

The JSON parser is not a subclass of DRF's, so DRF hands it the request stream instead of
reading the whole body first: a body over the limit is refused by its Content-Length, or
after reading one byte more than the limit."""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers, renderers
from rest_framework.exceptions import APIException, ParseError

# Deeper than any body of this API; a deeper one is refused before anything reads it.
MAX_JSON_DEPTH = 32


class RequestTooLarge(APIException):
    status_code = 413
    default_code = "too_large"

    def __init__(self, limit: int):
        megabytes = f"{limit / (1024 * 1024):g}"
        super().__init__(_("The request body may be at most %(size)s MB.") % {"size": megabytes})


def nul_refused(name: str | None = None) -> ParseError:
    if name:
        return ParseError(_("The field “%(name)s” contains a NUL character.") % {"name": name})
    return ParseError(_("The request contains a NUL character."))


def _too_deep() -> ParseError:
    return ParseError(
        _("The JSON is nested more than %(depth)d levels deep.") % {"depth": MAX_JSON_DEPTH}
    )


def check_json(data, *, max_depth: int = MAX_JSON_DEPTH, strings: bool = True) -> None:
    """Refuse nesting deeper than `max_depth` and (with `strings`) a NUL in any string,
    without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if strings and "\x00" in value:
                raise nul_refused()
        elif isinstance(value, Mapping | list):
            if depth > max_depth:
                raise _too_deep()
            if isinstance(value, Mapping):
                if strings and any("\x00" in key for key in value):
                    raise nul_refused()
                value = value.values()
            stack.extend((item, depth + 1) for item in value)


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


class JSONParser(parsers.BaseParser):
    """JSON of at most `max_size` bytes (DATA_UPLOAD_MAX_MEMORY_SIZE by default) and
    MAX_JSON_DEPTH levels, without NaN/Infinity or NUL characters."""

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer
    max_size: int | None = None

    @classmethod
    def limited_to(cls, size: int) -> type[JSONParser]:
        """This parser with a smaller body limit, for one view."""
        return type(f"JSONParserUpTo{size}", (cls,), {"max_size": size})

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = self.max_size or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = parser_context.get("request")
        if request is not None and _content_length(request) > limit:
            raise RequestTooLarge(limit)
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestTooLarge(limit)
        try:
            text = raw.decode(parsers.get_encoding(parser_context))
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise _too_deep() from None
        except ValueError as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            message = _("The body is not valid JSON: %(error)s") % {"error": error}
            raise ParseError(message) from None
        # Only an escape (\u0000) puts a NUL into a JSON string; look for one only then.
        check_json(data, strings="\\u0000" in text)
        return data


def _refuse_constant(name: str):
    raise ValueError(_("%(name)s is not a JSON number.") % {"name": name})


def _refuse_nul_fields(data, files=None) -> None:
    for name, values in data.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            raise nul_refused(name.replace("\x00", ""))
    for name, uploads in files.lists() if files is not None else ():
        if "\x00" in name or any("\x00" in (upload.name or "") for upload in uploads):
            raise nul_refused(name.replace("\x00", ""))


class FormParser(parsers.FormParser):
    """URL-encoded form data without NUL characters."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _refuse_nul_fields(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    """Multipart form data (with files) without NUL characters in fields or file names."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        _refuse_nul_fields(parsed.data, parsed.files)
        return parsed
