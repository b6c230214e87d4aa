"""Routes of the competences API, registered into the project's router in config/api.py."""

from __future__ import annotations

from typing import Any

from rest_framework.routers import BaseRouter

from . import views

ROUTES: list[tuple[str, Any, str]] = [
    ("competence-frameworks", views.FrameworkViewSet, "competence-framework"),
    ("competence-nodes", views.CompetenceNodeViewSet, "competence-node"),
    ("teacher-deficits", views.TeacherDeficitViewSet, "teacher-deficit"),
]


def register(router: BaseRouter) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
