"""SQLite (the demo database) only: make LIKE case-insensitive for Cyrillic too.

SQLite's built-in LIKE folds case for ASCII letters only, so «аничк» would not find «Аничкова».
PostgreSQL's UPPER/LIKE handle Unicode and need nothing of this.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.db.backends.signals import connection_created


@lru_cache(maxsize=256)
def _compile(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts = []
    chars = iter(pattern)
    for char in chars:
        if escape and char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _like(pattern: object, value: object, escape: str | None = None) -> bool | None:
    if pattern is None or value is None:
        return None
    return _compile(str(pattern), escape).fullmatch(str(value)) is not None


def _install(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("like", 2, _like, deterministic=True)
        connection.connection.create_function("like", 3, _like, deterministic=True)


def install() -> None:
    connection_created.connect(_install, dispatch_uid="metodist_sqlite_unicode_like")
