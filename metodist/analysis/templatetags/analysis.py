"""Template filters of the analysis pages: percentages in Russian, mastery as a CSS class."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def pct(value: Any, digits: int = 1) -> str:
    """63.25 → «63,3»; ``None`` → «—»."""
    if value is None or value == "":
        return "—"
    return f"{float(value):.{int(digits)}f}".replace(".", ",")


@register.filter
def signed(value: Any) -> str:
    """A difference in percentage points with its sign: «+5,1», «−3,0»."""
    if value is None:
        return "—"
    number = float(value)
    text = f"{abs(number):.1f}".replace(".", ",")
    return ("+" if number > 0 else "−" if number < 0 else "±") + text


@register.filter
def mastery_class(mastery: Any) -> str:
    return f"cell-{mastery}" if mastery else "cell-empty"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` in a template (``None`` when absent)."""
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None
