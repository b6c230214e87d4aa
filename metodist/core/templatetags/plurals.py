"""``{{ value|years }}`` → «44 года» (see :mod:`metodist.core.plurals`)."""

from __future__ import annotations

from django import template

from metodist.core.plurals import people_text, years_text

register = template.Library()


@register.filter
def years(value) -> str:
    return years_text(None if value in (None, "") else int(value))


@register.filter
def people(value) -> str:
    return people_text(int(value or 0))
