"""Routes of the assessments API, registered into the project's router in config/api.py."""

from __future__ import annotations

from typing import Any

from rest_framework.routers import BaseRouter

from . import views

ROUTES: list[tuple[str, Any, str]] = [
    ("assessment-procedures", views.ProcedureViewSet, "assessment-procedure"),
    ("class-results", views.ClassAssessmentViewSet, "class-result"),
]


def register(router: BaseRouter) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
