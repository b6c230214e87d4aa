"""Template filters shared by Metodist's pages."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

AUDIT_ACTIONS = {0: _("создание"), 1: _("изменение"), 2: _("удаление"), 3: _("просмотр")}


@register.filter
def audit_action(entry) -> str:
    """The Russian name of an audit entry's action (django-auditlog ships no Russian labels)."""
    return str(AUDIT_ACTIONS.get(entry.action, entry.action))
