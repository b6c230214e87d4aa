"""Numbers with nouns in their Russian plural form: «21 год», «44 года», «5 лет».

The msgids are Russian with two forms (gettext's English-style singular/plural); the Russian catalog
(``metodist/locale/ru/LC_MESSAGES/django.po``) gives the three Russian forms, chosen by its
``Plural-Forms`` rule. Templates use the filters of ``{% load plurals %}``.
"""

from __future__ import annotations

from django.utils.translation import ngettext


def years_text(years: int | None, empty: str = "—") -> str:
    """«1 год», «2 года», «5 лет», «21 год», «111 лет»; ``empty`` for an unknown number."""
    if years is None:
        return empty
    return ngettext("%(count)d год", "%(count)d лет", years) % {"count": years}


def people_text(count: int) -> str:
    """«1 педагог», «3 педагога», «25 педагогов»."""
    return ngettext("%(count)d педагог", "%(count)d педагогов", count) % {"count": count}
