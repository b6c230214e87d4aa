"""Navigation: the menu items the apps contribute (metodist.core.navigation) that the user's roles open."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .navigation import menu_for, register_menu_item
from .permissions import AUDIT_CAPABILITY, Action
from .scoping import can, roles

if TYPE_CHECKING:
    from .types import AnyUser


def _authenticated(user: AnyUser) -> bool:
    return bool(user.is_authenticated)


def _reads_the_audit(user: AnyUser) -> bool:
    return can(user, Action.VIEW, AUDIT_CAPABILITY)


register_menu_item("core.dashboard", label=_("Обзор"), url="core:dashboard", order=0, active_prefix="/")
register_menu_item("core.audit", label=_("Аудит"), url="core:audit", visible=_reads_the_audit, order=90)
register_menu_item("core.api", label=_("API"), url="api:docs", visible=_authenticated, order=100)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": menu_for(request),
        "user_roles": [str(a).split(": ", 1)[-1] for a in roles(user)],
    }
