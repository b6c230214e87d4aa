"""API request parsers that clean every string of the body with :func:`metodist.core.text.clean_text`.

Set as ``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``, so every endpoint and every serializer field —
declared or generated — receives text without control characters; no serializer can forget it.
Tabs and line breaks are kept here (the parser does not know which fields are multi-line).
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from rest_framework import parsers

from .text import clean_data, clean_text, is_password_key


def _clean_query_dict(data: QueryDict) -> QueryDict:
    cleaned = data.copy()
    for key, values in data.lists():
        if is_password_key(key):
            continue
        cleaned.setlist(key, [clean_text(v, multiline=True) if isinstance(v, str) else v for v in values])
    return cleaned


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return clean_data(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return _clean_query_dict(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        result = super().parse(stream, media_type, parser_context)
        return parsers.DataAndFiles(_clean_query_dict(result.data), result.files)
