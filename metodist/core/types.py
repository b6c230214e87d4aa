"""Type aliases shared by core and the apps built on it (for annotations only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    # Whoever makes a request: core cannot import the accounts app, so its User is read by attribute
    # (``person_id``, ``is_superuser``) where a scope needs it.
    AnyUser: TypeAlias = AbstractBaseUser | AnonymousUser
