"""Readers of student result files, one module per layout; :func:`read_results` picks one by the headers.

- :mod:`.wide` — the ФИС ОКО collection form («Форма сбора результатов») and analytics export
  («Индивидуальные результаты»);
- :mod:`.protocol` — regional ОГЭ/ЕГЭ protocols (a mask of short answers, «2(3)» long answers);
- :mod:`.long` — the plain long format (school, class, code, task, score), Metodist's template;
- :mod:`.names` — drops columns naming students as the upload is received;
- :mod:`.sheets` — opens XLSX (python-calamine) and CSV; :mod:`.headers`, :mod:`.layout`, :mod:`.base` —
  what they share.

Columns are found by what their headers mean, never by position: real files move, rename and add them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..choices import ResultFormat
from . import long, protocol, wide
from .base import HEADER_SEARCH_ROWS, NOT_ATTEMPTED, ReaderRefused, ReadResult, SpecTask, StudentRow, found_headers
from .layout import find_header
from .names import strip_personal_columns
from .sheets import RESULT_LIMITS, Sheet, open_sheets

__all__ = [
    "NOT_ATTEMPTED",
    "RESULT_LIMITS",
    "ReadResult",
    "ReaderRefused",
    "SpecTask",
    "StudentRow",
    "detect_format",
    "read_results",
    "strip_personal_columns",
]

Reader = Callable[[Sequence[Sheet], Sequence[SpecTask]], ReadResult]

READERS: dict[str, Reader] = {
    ResultFormat.COLLECTION_FORM: wide.read_collection_form,
    ResultFormat.ANALYTICS_EXPORT: wide.read_analytics_export,
    ResultFormat.PROTOCOL: protocol.read_protocol,
    ResultFormat.LONG: long.read_long,
}
# The order matters where headers overlap: the analytics export has everything the collection form has.
_SCORES = (
    (ResultFormat.ANALYTICS_EXPORT, wide.analytics_export_score, 4),
    (ResultFormat.PROTOCOL, protocol.protocol_score, 3),
    (ResultFormat.LONG, long.long_score, 3),
    (ResultFormat.COLLECTION_FORM, wide.collection_form_score, 3),
)


def detect_format(sheets: Sequence[Sheet]) -> str:
    """The layout whose header is found in the first rows of a sheet (the sheet «Протокол» first)."""
    ordered = sorted(sheets, key=lambda s: s.name.strip().lower() != wide.PROTOCOL_SHEET)
    heads = [sheet.head(HEADER_SEARCH_ROWS) for sheet in ordered]
    for file_format, score, minimum in _SCORES:
        if any(find_header(head, score, minimum) is not None for head in heads):
            return file_format
    raise ReaderRefused(_unknown(heads))


def _unknown(heads: list[list[list[object]]]) -> str:
    from .. import messages

    return str(messages.UNKNOWN_FORMAT % {"found": found_headers([row for head in heads for row in head])})


def read_results(
    content: bytes, filename: str, *, spec: Sequence[SpecTask], file_format: str | None = None
) -> ReadResult:
    """Read an uploaded file (already stripped of names) in ``file_format`` or the one its headers show.

    Raises :class:`ReaderRefused` when the file as a whole cannot be read; problems of rows and cells are
    on the result (``errors``: the file cannot be loaded; ``warnings``: it can).
    """
    sheets = open_sheets(content, filename)
    if not sheets:
        from metodist.imports import errors as import_errors

        raise ReaderRefused(import_errors.EMPTY_FILE)
    chosen = file_format or detect_format(sheets)
    return READERS[chosen](sheets, spec)
