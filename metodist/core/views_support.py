"""Small pieces every scoped view uses: fetch in scope or 404, refuse an action outright with 403."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .permissions import DEFAULT_CAPABILITY, Action
from .scoping import ScopedQuerySet, can

if TYPE_CHECKING:
    from .types import AnyUser


def require(user: AnyUser | None, action: str, capability: str | None = DEFAULT_CAPABILITY) -> None:
    """403 for users whose roles never allow ``action`` (an observer editing, a teacher exporting)."""
    if not can(user, action, capability):
        raise PermissionDenied


def scoped_or_404(
    model: Any,
    user: AnyUser | None,
    pk: Any,
    action: str = Action.VIEW,
    queryset: ScopedQuerySet | None = None,
    capability: str | None = None,
) -> Any:
    """The object if it lies in ``user``'s scope for ``action``; 404 otherwise (its existence is not revealed).

    ``capability`` defaults to the model queryset's own (``ScopedQuerySet.capability``).
    """
    base = queryset if queryset is not None else model.objects.all()
    if action != Action.VIEW:
        require(user, action, capability or getattr(base, "capability", DEFAULT_CAPABILITY))
    scoped = base.visible_to(user, action, capability) if capability else base.visible_to(user, action)
    return get_object_or_404(scoped, pk=pk)
