"""Routes of the assessments API, registered into the project's router in config/api.py."""

from __future__ import annotations

from typing import Any

from rest_framework.routers import BaseRouter

ROUTES: list[tuple[str, Any, str]] = []


def register(router: BaseRouter) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
