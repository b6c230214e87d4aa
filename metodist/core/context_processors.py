"""Navigation: the menu items the apps contribute (metodist.core.navigation) that the user's roles open."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .navigation import menu_tree, register_menu_item, register_menu_section
from .permissions import AUDIT_CAPABILITY, Action
from .scoping import can, roles

if TYPE_CHECKING:
    from .types import AnyUser


def _authenticated(user: AnyUser) -> bool:
    return bool(user.is_authenticated)


def _reads_the_audit(user: AnyUser) -> bool:
    return can(user, Action.VIEW, AUDIT_CAPABILITY)


# Sections of the top bar: apps put their items in them (``section=``), so a methodologist's dozen pages fit;
# the registry's pages (the daily ones) stay in the bar itself.
register_menu_section("chain", label=_("Дефициты и развитие"))
register_menu_section("admin", label=_("Администрирование"))
register_menu_item("core.dashboard", label=_("Обзор"), url="core:dashboard", order=0, active_prefix="/")
register_menu_item(
    "core.audit", label=_("Аудит"), url="core:audit", visible=_reads_the_audit, order=90, section="admin"
)
register_menu_item("core.api", label=_("API"), url="api:docs", visible=_authenticated, order=100)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": menu_tree(request),
        "user_roles": [str(a).split(": ", 1)[-1] for a in roles(user)],
    }
