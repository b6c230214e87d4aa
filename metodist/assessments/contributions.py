"""What the assessments app contributes to core's menu (metodist.core.navigation)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from metodist.core.navigation import register_menu_item
from metodist.core.permissions import Action
from metodist.core.scoping import can

from .permissions import CAPABILITY


def _may_view(user: Any) -> bool:
    return can(user, Action.VIEW, CAPABILITY)


def register() -> None:
    register_menu_item(
        "assessments.procedures",
        label=_("Оценочные процедуры"),
        url="assessments:procedure_list",
        visible=_may_view,
        order=45,
        active_prefix="/assessments/",
        section="chain",
    )
