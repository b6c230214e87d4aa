"""What the analysis contributes to core's menu (metodist.core.navigation) and to a teacher's deficits page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from metodist.core.navigation import register_menu_item
from metodist.core.permissions import Action
from metodist.core.scoping import can


def _sees_results(user: Any) -> bool:
    return bool(user.is_authenticated) and can(user, Action.VIEW, "assessments")


def register() -> None:
    from metodist.competences.panels import register_teacher_panel

    from .panels import teacher_weak_tasks

    register_teacher_panel(
        "analysis.weak_tasks",
        template="analysis/panels/teacher_weak_tasks.html",
        context=teacher_weak_tasks,
        order=50,
    )
    register_menu_item(
        "analysis.results",
        label=_("Анализ результатов"),
        url="analysis:index",
        visible=_sees_results,
        order=60,
        active_prefix="/analysis/",
        section="chain",
    )
