"""Sections that other apps add to a teacher's deficits page (the extension point of the page).

A higher app (``analysis``: «слабые задания классов педагога»; ``diagnostics``: the teacher's campaigns)
registers a panel from its ``AppConfig.ready()``::

    from metodist.competences.panels import register_teacher_panel

    register_teacher_panel(
        "analysis.weak_tasks",
        template="analysis/panels/teacher_weak_tasks.html",
        context=weak_tasks_panel,  # (request, person) -> dict | None; None hides the panel
        order=50,
    )

``context`` must read its data through the permission contract (``visible_to(request.user, …)``): the page
has checked that the person is visible, not that the panel's rows are. The template is included with the
page's context plus the panel's dict; panels render in ``order`` after the deficits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

PanelContext = Callable[[HttpRequest, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class TeacherPanel:
    name: str
    template: Any  # a template name, or a compiled template
    context: PanelContext
    order: int = 100


_PANELS: dict[str, TeacherPanel] = {}


def register_teacher_panel(name: str, *, template: Any, context: PanelContext, order: int = 100) -> TeacherPanel:
    """Add (or replace) the panel ``name`` of the teacher's deficits page."""
    panel = TeacherPanel(name=name, template=template, context=context, order=order)
    _PANELS[name] = panel
    return panel


def unregister_teacher_panel(name: str) -> None:
    _PANELS.pop(name, None)


def teacher_panels(request: HttpRequest, person: Any) -> list[tuple[Any, dict[str, Any]]]:
    """The panels shown for ``person`` to ``request.user``: (template, context) in order."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)):
        data = panel.context(request, person)
        if data is not None:
            shown.append((panel.template, data))
    return shown
