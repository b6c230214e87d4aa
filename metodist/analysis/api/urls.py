"""Routes of the analysis API, registered into the project's router in config/api.py."""

from __future__ import annotations

from typing import Any

from rest_framework.routers import BaseRouter

from . import views

ROUTES: list[tuple[str, Any, str]] = [
    ("analysis/classes", views.ClassAnalysisViewSet, "analysis-class"),
    ("analysis/procedures", views.ProcedureAnalysisViewSet, "analysis-procedure"),
]


def register(router: BaseRouter) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
