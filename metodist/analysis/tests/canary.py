"""Routes of the analysis app for the canary walker; see metodist/core/tests/canary.py."""

from __future__ import annotations

CANARY_ROUTES: dict = {}
