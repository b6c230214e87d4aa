"""The export cell rules of :mod:`metodist.core.exports` as SQL, for set-based exports.

A set-based export (e.g. ``COPY (SELECT …) TO STDOUT`` on PostgreSQL) produces the file in the
database; its text cells must come out exactly as :func:`metodist.core.exports.csv_cell` makes them:

1. the characters of :data:`metodist.core.text.CONTROL_CHARACTERS` removed;
2. a text that then starts — after optional spaces — with one of
   :data:`metodist.core.exports.FORMULA_TRIGGERS` (``= + - @``, tab, carriage return) gets a leading ``'``.

:class:`SafeCsvText` is built from those two constants, so the rules are written once; a test compares
it with ``csv_cell`` on tricky strings. PostgreSQL only: other databases export through ``csv_cell``.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Func, TextField
from django.db.models.sql.compiler import SQLCompiler

from .exports import FORMULA_TRIGGERS
from .text import CONTROL_CHARACTERS


def _ranges(character_class: str) -> list[tuple[int, int]]:
    """``[a-cx]`` (without brackets) → [(ord a, ord c), (ord x, ord x)]."""
    ranges, index = [], 0
    while index < len(character_class):
        if index + 2 < len(character_class) and character_class[index + 1] == "-":
            ranges.append((ord(character_class[index]), ord(character_class[index + 2])))
            index += 3
        else:
            ranges.append((ord(character_class[index]),) * 2)
            index += 1
    return ranges


def _characters(ranges: list[tuple[int, int]]) -> list[int]:
    """The code points of ``ranges`` that PostgreSQL text can hold (no NUL, no UTF-16 surrogates)."""
    return [code for low, high in ranges for code in range(max(low, 1), high + 1) if not 0xD800 <= code <= 0xDFFF]


def _bracket_class(codes: list[int]) -> str:
    """A regular-expression bracket class of ``codes`` as an ASCII-only PostgreSQL literal (\\u escapes)."""
    parts, start = [], None
    for index, code in enumerate(codes):
        if start is None:
            start = code
        following = codes[index + 1] if index + 1 < len(codes) else None
        if following != code + 1:
            parts.append(f"\\u{start:04x}" if start == code else f"\\u{start:04x}-\\u{code:04x}")
            start = None
    return "'[" + "".join(parts) + "]'"


def _literal(text: str) -> str:
    """An ASCII-only PostgreSQL literal of ``text`` (``U&'\\0009'``: every character escaped)."""
    return "U&'" + "".join(f"\\{ord(character):04x}" for character in text) + "'"


CONTROL_CODES = _characters(_ranges(CONTROL_CHARACTERS.pattern[1:-1]))
CONTROL_CLASS = _bracket_class(CONTROL_CODES)
TRIGGER_LITERALS = ", ".join(_literal(trigger) for trigger in FORMULA_TRIGGERS)
QUOTE = "''''"  # the SQL literal of one apostrophe


def _neutralised(text_sql: str) -> str:
    first = f"left(ltrim({text_sql}, ' '), 1)"
    return f"(CASE WHEN {first} IN ({TRIGGER_LITERALS}) THEN {QUOTE} || {text_sql} ELSE {text_sql} END)"


def safe_csv_text_sql(expression_sql: str) -> str:
    """``csv_cell(text)`` in SQL around an expression given as SQL text.

    A text without control characters (nearly all) costs one regular-expression match and two string
    functions; only the others are rewritten with ``regexp_replace``. (``translate()`` with this set of
    characters took 3 s for 30 000 rows, a ``regexp_replace`` of every cell 20 s for a region's export.)
    """
    cleaned = f"regexp_replace({expression_sql}, {CONTROL_CLASS}, '', 'g')"
    return (
        f"(CASE WHEN {expression_sql} ~ {CONTROL_CLASS} THEN {_neutralised(cleaned)} "
        f"ELSE {_neutralised(expression_sql)} END)"
    )


class SafeCsvText(Func):
    """:func:`safe_csv_text_sql` as an ORM expression (its argument is repeated: use it on columns)."""

    output_field = TextField()

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, Any]:
        if connection.vendor != "postgresql":
            raise NotImplementedError("SafeCsvText is PostgreSQL-only; other databases use exports.csv_cell")
        inner, params = compiler.compile(self.source_expressions[0])
        sql = safe_csv_text_sql(inner)
        return sql, tuple(params) * sql.count(inner)
