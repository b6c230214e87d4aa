"""Text that enters the system is cleaned once, here: no control characters in stored data.

A name with ``\\x01`` once made every XLSX export of its school a server error (XML 1.0 cannot hold
it). Characters that have no place in a name, an address or a comment are removed on the way in:

* C0 and C1 control characters and DEL — except tab, line feed and carriage return in multi-line
  text (a ``Textarea``); in one-line text these become a space;
* lone surrogates and the non-characters U+FFFE / U+FFFF (not encodable, or not allowed in XML);
* bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make a name display
  as something else than it is.

Every entry point calls :func:`clean_text`: forms through :class:`CleanTextFormMixin` (part of the
styled form mixin every form uses), the API through the parsers of :mod:`metodist.core.api_parsers`
(``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``), imports through ``imports.parsing.cell_text``.
Exports apply :func:`strip_control_characters` on the way out as well (see :mod:`metodist.core.exports`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms

# Removed everywhere: C0 controls except \t \n \r, DEL, C1 controls, surrogates, U+FFFE/U+FFFF, bidi controls.
_ALWAYS_REMOVED = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069"
CONTROL_CHARACTERS = re.compile(f"[{_ALWAYS_REMOVED}]")
# Line breaks other programs write: vertical tab (Word's soft break), form feed, NEL, Unicode line/paragraph separators.
SOFT_LINE_BREAKS = re.compile("[\x0b\x0c\x85\u2028\u2029]")
ANY_BREAK = re.compile("\r\n|[\t\n\r\x0b\x0c\x85\u2028\u2029]")


def strip_control_characters(value: str) -> str:
    """``value`` without the characters that must never be stored or exported (tab and line breaks kept)."""
    return CONTROL_CHARACTERS.sub("", value)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` fit to be stored: forbidden characters removed; tabs and line breaks kept only if ``multiline``.

    In one-line text a tab or a line break becomes a space (two words stay two words); in multi-line text
    the other programs' line breaks become ``\n``.
    """
    if value.isprintable():  # fast path (C): every character changed below is unprintable
        return value
    value = SOFT_LINE_BREAKS.sub("\n", value) if multiline else ANY_BREAK.sub(" ", value)
    return strip_control_characters(value)


def is_password_key(key: object) -> bool:
    """A request field holding a password: compared, never stored as text or shown — left as typed."""
    return isinstance(key, str) and "password" in key.lower()


def clean_data(value: Any) -> Any:
    """Apply :func:`clean_text` (multi-line) to every string inside parsed request data (dicts, lists).

    Values of password fields are left as they are (see :func:`is_password_key`).
    """
    if isinstance(value, str):
        return clean_text(value, multiline=True)
    if isinstance(value, dict):
        return {key: item if is_password_key(key) else clean_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_data(item) for item in value]
    return value


def _cleaning(to_python: Callable[[Any], Any], *, multiline: bool) -> Callable[[Any], Any]:
    def to_python_cleaned(value: Any) -> Any:
        if isinstance(value, str):
            value = clean_text(value, multiline=multiline)
        return to_python(value)

    return to_python_cleaned


class CleanTextFormMixin:
    """Every text field of the form cleans its input with :func:`clean_text` before it is validated.

    Multi-line text is recognised by its ``Textarea`` widget; password fields are left alone (a
    password is compared, never shown or exported).
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
                continue
            multiline = isinstance(field.widget, forms.Textarea)
            field.to_python = _cleaning(field.to_python, multiline=multiline)  # type: ignore[method-assign,assignment]
