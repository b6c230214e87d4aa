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

from django.db.models import Func, TextField

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


def _postgresql_class(ranges: list[tuple[int, int]]) -> str:
    """A PostgreSQL regular-expression bracket class of ``ranges``, with \\u escapes.

    NUL and UTF-16 surrogates cannot be stored in PostgreSQL text, so they are left out.
    """
    parts = []
    for low, high in ranges:
        low = max(low, 1)
        pieces = [(low, high)]
        if low <= 0xDFFF and high >= 0xD800:  # cut the surrogates out of the range
            pieces = [(low, 0xD7FF), (0xE000, high)]
        for start, end in pieces:
            if start > end:
                continue
            parts.append(f"\\u{start:04x}" if start == end else f"\\u{start:04x}-\\u{end:04x}")
    return "[" + "".join(parts) + "]"


CONTROL_CLASS = _postgresql_class(_ranges(CONTROL_CHARACTERS.pattern[1:-1]))
FORMULA_CLASS = _postgresql_class([(ord(c), ord(c)) for c in FORMULA_TRIGGERS])
# The empty start of a text whose first non-space character is a trigger (a look-ahead: nothing is consumed).
FORMULA_START = "^(?= *" + FORMULA_CLASS + ")"


class SafeCsvText(Func):
    """``csv_cell(text)`` in SQL: control characters removed, a formula-like text prefixed with ``'``.

    One expression, the argument evaluated once: the inner ``regexp_replace`` removes the control
    characters, the outer one puts ``'`` before a text that starts (after spaces) with a trigger.
    """

    output_field = TextField()
    template = "regexp_replace(regexp_replace(%(expressions)s, %(control)s, '', 'g'), %(formula)s, '''')"

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            raise NotImplementedError("SafeCsvText is PostgreSQL-only; other databases use exports.csv_cell")
        # The patterns are constants built above from the shared rules, quoted as SQL literals.
        extra_context["control"] = _literal(CONTROL_CLASS)
        extra_context["formula"] = _literal(FORMULA_START)
        return super().as_sql(compiler, connection, **extra_context)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def safe_csv_text_sql(expression_sql: str) -> str:
    """:class:`SafeCsvText` around an SQL expression given as text (for hand-assembled statements)."""
    return SafeCsvText.template % {
        "expressions": expression_sql,
        "control": _literal(CONTROL_CLASS),
        "formula": _literal(FORMULA_START),
    }
