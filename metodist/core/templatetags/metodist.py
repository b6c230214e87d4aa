"""Template filters shared by Metodist's pages."""

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

AUDIT_ACTIONS = {0: _("создание"), 1: _("изменение"), 2: _("удаление"), 3: _("просмотр")}


@register.filter
def audit_action(entry: Any) -> str:
    """The Russian name of an audit entry's action (django-auditlog ships no Russian labels)."""
    return str(AUDIT_ACTIONS.get(entry.action, entry.action))


@register.filter
def audit_value(value: object) -> str:
    """An audited value as a person reads it: «—» for empty, «да/нет» for booleans."""
    text = str(value)
    if text in {"None", "", "[]"}:
        return "—"
    return {"True": "да", "False": "нет"}.get(text, text)


@register.simple_tag(takes_context=True)
def object_links(context: Any, obj: Any) -> list[dict[str, Any]]:
    """Links other apps registered for ``obj``'s page (metodist.core.navigation.register_object_link)."""
    from metodist.core.navigation import object_links as links_for

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return links_for(user, obj)
