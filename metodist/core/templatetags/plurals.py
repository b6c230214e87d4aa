"""``{{ value|years }}`` → «44 года» (see :mod:`metodist.core.plurals`)."""

from __future__ import annotations

from django import template

from metodist.core.plurals import people_text, years_text

register = template.Library()


@register.filter
def years(value: int | str | None) -> str:
    return years_text(None if value is None or value == "" else int(value))


@register.filter
def people(value: int | str | None) -> str:
    return people_text(int(value or 0))
