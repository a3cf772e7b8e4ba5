"""The API's JSON parser: DRF's, with nesting bounded before parsing (forms.jsonsafe), so a body
nested 50,000 deep is a 400 "JSON parse error" instead of a RecursionError (a 500)."""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

from forms import jsonsafe


class JSONParser(parsers.JSONParser):
    """Refuses nesting deeper than settings.ANJU_MAX_JSON_DEPTH, like any other parse error."""

    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]
        try:
            text = stream.read().decode(encoding)
            constant = json.strict_constant if self.strict else None
            return jsonsafe.loads(text, settings.ANJU_MAX_JSON_DEPTH, parse_constant=constant)
        except ValueError as exc:  # UnicodeDecodeError, JSONDecodeError and JsonTooDeep
            raise ParseError(f"JSON parse error - {exc}") from None
