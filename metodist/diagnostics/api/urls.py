"""Routes of the diagnostics API, registered into the project's router in config/api.py."""

from __future__ import annotations

from typing import Any

from rest_framework.routers import BaseRouter

from . import views

ROUTES: list[tuple[str, Any, str]] = [
    ("diagnostic-campaigns", views.CampaignViewSet, "diagnostic-campaign"),
    ("diagnostic-participants", views.ParticipantViewSet, "diagnostic-participant"),
    ("diagnostic-results", views.ResultViewSet, "diagnostic-result"),
    ("lesson-observations", views.ObservationViewSet, "lesson-observation"),
]


def register(router: BaseRouter) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
