"""What the diagnostics contribute to core's menu and dashboard (metodist.core.navigation)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from metodist.core.navigation import register_dashboard_card, register_menu_item
from metodist.core.permissions import Action
from metodist.core.scoping import scope_for

from .permissions import CAPABILITY


def _reaches_campaigns(user: Any) -> bool:
    """Places (a territory, a school) or campaigns through a relation (an assigned expert)."""
    scope = scope_for(user, Action.VIEW, CAPABILITY)
    return not scope.only_self or bool(scope.relations)


def _campaigns_url(user: Any) -> str | None:
    return reverse("diagnostics:campaign_list") if _reaches_campaigns(user) else None


def _own_url(user: Any) -> str | None:
    scope = scope_for(user, Action.VIEW, CAPABILITY)
    if not user.person_id or not scope.only_self or user.person_id not in scope.person_ids:
        return None
    return reverse("diagnostics:my_diagnostics")


def _observations_url(user: Any) -> str | None:
    return reverse("diagnostics:observation_list") if _reaches_campaigns(user) else None


def _my_card(request: Any) -> dict[str, Any] | None:
    from . import selectors

    if _own_url(request.user) is None:
        return None
    waiting = selectors.waiting_questionnaires(request.user)
    if not waiting:
        return None
    return {"diagnostics_waiting": waiting}


def register() -> None:
    register_menu_item(
        "diagnostics.campaigns",
        label=_("Диагностика"),
        url=_campaigns_url,
        order=50,
        active_prefix="/diagnostics/campaigns",
        section="chain",
    )
    register_menu_item(
        "diagnostics.observations",
        label=_("Наблюдения уроков"),
        url=_observations_url,
        order=52,
        active_prefix="/diagnostics/observations",
        section="chain",
    )
    register_menu_item(
        "diagnostics.mine", label=_("Мои диагностики"), url=_own_url, order=15, active_prefix="/diagnostics/my"
    )
    register_dashboard_card(
        "diagnostics.waiting", template="diagnostics/dashboard/waiting.html", context=_my_card, order=5
    )
