"""Questions about a user's roles that pages ask."""

from __future__ import annotations

from .choices import Role


def roles_of(user) -> list:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_metodist_roles", None)
    if cached is None:
        cached = list(user.role_assignments.select_related("territory", "organisation"))
        user._metodist_roles = cached
    return cached


def is_administrator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or any(a.role == Role.ADMIN for a in roles_of(user)))
