"""The one mechanism that limits what a user may see and do (152-ФЗ).

Every list, detail page, export, import and API endpoint asks a model's queryset for
``Model.objects.visible_to(user, action)``. A user's scope is the union of their role assignments
that allow the action: global (administrator), territories (a region includes its municipalities),
organisations, or the user's own registry profile. Each scoped queryset states, in ``scope_q``,
how its rows reach a territory, an organisation and a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from metodist.accounts.choices import ROLE_ACTIONS, Action, ScopeKind
from metodist.accounts.roles import roles_of

_CACHE_ATTR = "_metodist_scopes"


@dataclass(frozen=True)
class UserScope:
    """What a user may reach for one action."""

    is_global: bool = False
    territory_ids: frozenset[int] = field(default_factory=frozenset)
    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    person_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.is_global or self.territory_ids or self.organisation_ids or self.person_ids)


EMPTY_SCOPE = UserScope()


def _territory_with_descendants(territory_ids: set[int]) -> frozenset[int]:
    from metodist.registry.models import Territory

    found = set(territory_ids)
    frontier = set(territory_ids)
    while frontier:
        frontier = set(
            Territory.objects.filter(parent_id__in=frontier).exclude(id__in=found).values_list("id", flat=True)
        )
        found |= frontier
    return frozenset(found)


def scope_for(user, action: str = Action.VIEW) -> UserScope:
    """The scope of ``user`` for ``action``, computed once per user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    if action in cache:
        return cache[action]

    is_global = False
    territories: set[int] = set()
    organisations: set[int] = set()
    persons: set[int] = set()
    for assignment in roles_of(user):
        if action not in ROLE_ACTIONS[assignment.role]:
            continue
        kind = assignment.scope_kind
        if kind == ScopeKind.GLOBAL:
            is_global = True
        elif kind == ScopeKind.TERRITORY:
            territories.add(assignment.territory_id)
        elif kind == ScopeKind.ORGANISATION:
            organisations.add(assignment.organisation_id)
        elif kind == ScopeKind.SELF and user.person_id:
            persons.add(user.person_id)
    if user.is_superuser:
        is_global = True
    territory_key = ("territories", frozenset(territories))
    if territories and territory_key not in cache:
        cache[territory_key] = _territory_with_descendants(territories)
    scope = UserScope(
        is_global=is_global,
        territory_ids=cache[territory_key] if territories else frozenset(),
        organisation_ids=frozenset(organisations),
        person_ids=frozenset(persons),
    )
    cache[action] = scope
    return scope


def forget_scopes(user) -> None:
    """Drop the cached scopes and roles, e.g. after the user's role assignments changed."""
    for attr in (_CACHE_ATTR, "_metodist_roles"):
        if hasattr(user, attr):
            delattr(user, attr)


def can(user, action: str) -> bool:
    """Whether ``user`` may do ``action`` anywhere at all (e.g. to show an «Изменить» button)."""
    return not scope_for(user, action).is_empty


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how its rows fall into a user's scope."""

    def scope_q(self, scope: UserScope) -> models.Q:
        raise NotImplementedError

    def visible_to(self, user, action: str = Action.VIEW):
        scope = scope_for(user, action)
        if scope.is_global:
            return self.all()
        if scope.is_empty:
            return self.none()
        return self.filter(self.scope_q(scope))


def any_of(*conditions: tuple[frozenset[int], models.Q | None]) -> models.Q:
    """OR together the conditions whose id set is not empty; matches nothing if none is."""
    result = models.Q(pk__in=[])
    for ids, condition in conditions:
        if ids and condition is not None:
            result |= condition
    return result
