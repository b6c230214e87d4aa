"""What the analysis contributes to core's menu (metodist.core.navigation)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from metodist.core.navigation import register_menu_item
from metodist.core.permissions import Action
from metodist.core.scoping import can


def _sees_results(user: Any) -> bool:
    return bool(user.is_authenticated) and can(user, Action.VIEW, "assessments")


def register() -> None:
    register_menu_item(
        "analysis.results",
        label=_("Анализ результатов"),
        url="analysis:index",
        visible=_sees_results,
        order=60,
        active_prefix="/analysis/",
    )
