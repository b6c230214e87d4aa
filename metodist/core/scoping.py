"""The one mechanism that limits what a user may see and do (152-ФЗ) — the permission contract, v2.

Every list, detail page, export, import and API endpoint asks a model's queryset for
``Model.objects.visible_to(user, action)``. Three things decide the answer:

* **Capability** — a part of the product with its own permissions (``"registry"``, ``"accounts"``,
  ``"imports"``; later ``"routes"``, ``"assessments"`` …). Each capability declares, per role, the actions
  the role may do (:func:`register_permissions`). A scoped queryset names its capability
  (``ScopedQuerySet.capability``, default ``"registry"``), so a mentor may change their mentees'
  routes without being able to change the registry.
* **Structural scope** — what a role assignment is bound to: everything (administrator), territories
  (a region includes its municipalities), organisations, or the user's own registry profile. Each
  scoped queryset states in ``scope_q`` how its rows reach a territory, an organisation and a person.
* **Relation scopes** — rows a role reaches through a relation rather than a place: mentor → mentees,
  expert → assigned items, association head → members. An app registers them with
  :func:`register_relation_scope`; ``visible_to`` ORs them in for the model they name.

A user's scope for (capability, action) is computed once per user object and cached on it.
Field-level visibility (public card / personal data) is in :mod:`metodist.core.fields`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from django.db import models

# DEFAULT_CAPABILITY is re-exported: apps read it from here.
from .permissions import DEFAULT_CAPABILITY as DEFAULT_CAPABILITY
from .permissions import Action, ScopeKind

if TYPE_CHECKING:
    from .types import AnyUser

_CACHE_ATTR = "_metodist_scopes"
_generation = [0]  # bumped when relation scopes change, so scopes cached on user objects are recomputed
# capability -> role -> actions
_PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {}


def register_permissions(capability: str, role_actions: Mapping[str, Iterable[str]]) -> None:
    """Declare what each role may do in ``capability`` (inside its scope). Replaces an earlier declaration."""
    _PERMISSIONS[str(capability)] = {str(role): frozenset(map(str, actions)) for role, actions in role_actions.items()}


def role_actions(capability: str = DEFAULT_CAPABILITY) -> dict[str, frozenset[str]]:
    """The declared permissions of ``capability`` (role → actions); unknown capabilities allow nothing."""
    return _PERMISSIONS.get(str(capability), {})


# Role assignments: the accounts app tells core how a user's assignments are read -------------------

_role_source: Callable[[Any], Iterable[Any]] | None = None


def register_role_source(function: Callable[[Any], Iterable[Any]]) -> None:
    """The app that owns role assignments gives core a function: user → their assignments (each with
    ``role``, ``scope_kind``, ``territory_id``, ``organisation_id``), cached on the user by that app."""
    global _role_source
    _role_source = function


def roles(user: AnyUser | None) -> list[Any]:
    """The role assignments of ``user`` (none before the accounts app registered its source)."""
    if _role_source is None or user is None or not user.is_authenticated:
        return []
    return list(_role_source(user))


# Relation scopes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelationScope:
    """Rows of ``model`` that a user holding ``role`` reaches through a relation.

    ``path`` is a lookup from a row of ``model`` to the user's anchor: their registry person
    (``anchor="person"``, compared with ``user.person_id``) or the user themselves (``anchor="user"``).
    For instance mentees of a mentor: ``model="registry.Person"``, ``path="mentee_links__mentor"``.
    ``actions`` are what the relation allows (default: view the public card only — never personal data).
    """

    name: str
    role: str
    capability: str
    model: str  # "app_label.ModelName"
    path: str
    actions: frozenset[str] = frozenset({Action.VIEW})
    anchor: str = "person"

    def anchor_of(self, user: AnyUser) -> int | None:
        anchor: int | None = getattr(user, "person_id", None) if self.anchor == "person" else user.pk
        return anchor

    def q(self, model: type[models.Model], anchor_id: int) -> models.Q:
        # A subquery, not a join: a reverse relation would otherwise repeat rows.
        reached = model._base_manager.filter(**{self.path: anchor_id}).values("pk")
        return models.Q(pk__in=reached)


_RELATIONS: dict[str, RelationScope] = {}


def register_relation_scope(
    *,
    name: str,
    role: str,
    model: str,
    path: str,
    capability: str = DEFAULT_CAPABILITY,
    actions: Iterable[str] = (Action.VIEW,),
    anchor: str = "person",
) -> RelationScope:
    """Let users holding ``role`` reach rows of ``model`` (``"app_label.Model"``) through ``path``.

    Call it from the app's ``AppConfig.ready()``. Registering the same ``name`` again replaces it.
    """
    if anchor not in {"person", "user"}:
        raise ValueError(f"anchor must be 'person' or 'user', not {anchor!r}")
    relation = RelationScope(
        name=name,
        role=str(role),
        capability=str(capability),
        model=model.lower(),
        path=path,
        actions=frozenset(map(str, actions)),
        anchor=anchor,
    )
    _RELATIONS[name] = relation
    forget_all_scopes()
    return relation


def unregister_relation_scope(name: str) -> None:
    _RELATIONS.pop(name, None)
    forget_all_scopes()


def relation_scopes() -> list[RelationScope]:
    return list(_RELATIONS.values())


# Territories: the registry tells core how a territory's descendants are found -----------------------

_territory_descendants: Callable[[set[int]], Iterable[int]] | None = None


def register_territory_descendants(function: Callable[[set[int]], Iterable[int]]) -> None:
    """The app that owns territories gives core a function: ids → the ids with all their descendants."""
    global _territory_descendants
    _territory_descendants = function


def _territory_with_descendants(territory_ids: set[int]) -> frozenset[int]:
    if _territory_descendants is None:
        return frozenset(territory_ids)
    return frozenset(territory_ids) | frozenset(_territory_descendants(set(territory_ids)))


# Scopes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserScope:
    """What a user may reach for one capability and action."""

    is_global: bool = False
    territory_ids: frozenset[int] = field(default_factory=frozenset)
    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    person_ids: frozenset[int] = field(default_factory=frozenset)
    # (relation, anchor id) pairs: rows reached through registered relation scopes
    relations: frozenset[tuple[RelationScope, int]] = field(default_factory=frozenset)

    @property
    def is_structural_empty(self) -> bool:
        return not (self.is_global or self.territory_ids or self.organisation_ids or self.person_ids)

    @property
    def is_empty(self) -> bool:
        return self.is_structural_empty and not self.relations

    @property
    def only_self(self) -> bool:
        """Reaches no place (territory or organisation): a teacher, a mentor, an expert."""
        return not (self.is_global or self.territory_ids or self.organisation_ids)

    def relations_for(self, model: type[models.Model]) -> list[tuple[RelationScope, int]]:
        label = model._meta.label_lower
        return [(relation, anchor) for relation, anchor in self.relations if relation.model == label]


EMPTY_SCOPE = UserScope()


def scope_for(
    user: AnyUser | None, action: str = Action.VIEW, capability: str | None = DEFAULT_CAPABILITY
) -> UserScope:
    """The scope of ``user`` for ``action`` in ``capability``, computed once per user object."""
    capability = capability or DEFAULT_CAPABILITY
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None or cache.get("generation") != _generation[0]:
        cache = {"generation": _generation[0]}
        setattr(user, _CACHE_ATTR, cache)
    key = (str(capability), str(action))
    if key in cache:
        cached: UserScope = cache[key]
        return cached

    permissions = role_actions(capability)
    is_global = bool(getattr(user, "is_superuser", False))
    person_id: int | None = getattr(user, "person_id", None)
    territories: set[int] = set()
    organisations: set[int] = set()
    persons: set[int] = set()
    relations: set[tuple[RelationScope, int]] = set()
    assignments = roles(user)
    for assignment in assignments:
        if action not in permissions.get(assignment.role, ()):
            continue
        kind = assignment.scope_kind
        if kind == ScopeKind.GLOBAL:
            is_global = True
        elif kind == ScopeKind.TERRITORY:
            territories.add(assignment.territory_id)
        elif kind == ScopeKind.ORGANISATION:
            organisations.add(assignment.organisation_id)
        elif kind == ScopeKind.SELF and person_id:
            persons.add(person_id)
    held = {assignment.role for assignment in assignments}
    for relation in _RELATIONS.values():
        if relation.role in held and relation.capability == str(capability) and action in relation.actions:
            anchor = relation.anchor_of(user)
            if anchor is not None:
                relations.add((relation, anchor))
    territory_key = ("territories", frozenset(territories))
    if territories and territory_key not in cache:
        cache[territory_key] = _territory_with_descendants(territories)
    scope = UserScope(
        is_global=is_global,
        territory_ids=cache[territory_key] if territories else frozenset(),
        organisation_ids=frozenset(organisations),
        person_ids=frozenset(persons),
        relations=frozenset(relations),
    )
    cache[key] = scope
    return scope


def forget_scopes(user: AnyUser) -> None:
    """Drop the cached scopes and roles, e.g. after the user's role assignments changed."""
    for attr in (_CACHE_ATTR, "_metodist_roles"):
        if hasattr(user, attr):
            delattr(user, attr)


def forget_all_scopes() -> None:
    """Invalidate every cached scope (a relation scope was registered); user objects recompute lazily."""
    _generation[0] += 1


def can(user: AnyUser | None, action: str, capability: str | None = DEFAULT_CAPABILITY) -> bool:
    """Whether ``user`` may do ``action`` in ``capability`` anywhere at all (e.g. to show a button)."""
    return not scope_for(user, action, capability).is_empty


class ScopedQuerySet(models.QuerySet[Any]):
    """A queryset that knows how its rows fall into a user's scope.

    Subclasses implement ``scope_q(scope)`` (the structural part: territories, organisations, own
    profile) and may set ``capability``. Relation scopes registered for the model are added here.
    """

    capability: str = DEFAULT_CAPABILITY
    # "Own rows": a field holding the user who owns a row (e.g. "created_by"). A user whose roles allow the
    # action in this capability at all also reaches the rows they own, wherever those rows lie.
    owner_field: str | None = None

    def scope_q(self, scope: UserScope) -> models.Q:
        raise NotImplementedError

    def access_q(
        self, user: AnyUser | None, action: str = Action.VIEW, capability: str | None = None
    ) -> models.Q | None:
        """The condition for rows ``user`` may reach; ``None`` means every row (global scope)."""
        scope = scope_for(user, action, capability or self.capability)
        if scope.is_global:
            return None
        condition = models.Q(pk__in=[])
        if not scope.is_structural_empty:
            condition |= self.scope_q(scope)
        for relation, anchor in scope.relations_for(self.model):
            condition |= relation.q(self.model, anchor)
        if self.owner_field and user is not None and not scope.is_empty:
            condition |= models.Q(**{self.owner_field: user.pk})
        return condition

    def visible_to(self, user: AnyUser | None, action: str = Action.VIEW, capability: str | None = None) -> Self:
        scope = scope_for(user, action, capability or self.capability)
        if scope.is_global:
            return self.all()
        if scope.is_empty:
            return self.none()
        return self.filter(self.access_q(user, action, capability))

    def with_access(
        self,
        user: AnyUser | None,
        action: str,
        name: str,
        capability: str | None = None,
        *,
        within: str | None = None,
    ) -> Self:
        """Annotate a boolean ``name``: whether ``user`` may do ``action`` on each row (one query for a list).

        ``within``: the caller guarantees every row is already inside ``user``'s scope for that action
        (e.g. the rows of a list filtered by ``visible_to(user, within)``). When both actions reach exactly
        the same scope, every row has access and no condition is compiled or run.
        """
        if within is not None:
            scope = scope_for(user, action, capability or self.capability)
            if scope == scope_for(user, within, capability or self.capability) and not scope.is_empty:
                same: Self = self.annotate(**{name: models.Value(True)})
                return same
        condition = self.access_q(user, action, capability)
        value = models.Value(True) if condition is None else models.ExpressionWrapper(condition, models.BooleanField())
        annotated: Self = self.annotate(**{name: value})
        return annotated


def any_of(*conditions: tuple[frozenset[int], models.Q | None]) -> models.Q:
    """OR together the conditions whose id set is not empty; matches nothing if none is."""
    result = models.Q(pk__in=[])
    for ids, condition in conditions:
        if ids and condition is not None:
            result |= condition
    return result


def placed_q(scope: UserScope, *, organisation: str = "organisation", person: str | None = "person") -> models.Q:
    """The structural rule of a row placed in an organisation (and, with ``person``, belonging to a person):
    reached through the organisation's territory, the organisation itself, or by that person."""
    return any_of(
        (scope.territory_ids, models.Q(**{f"{organisation}__territory_id__in": scope.territory_ids})),
        (scope.organisation_ids, models.Q(**{f"{organisation}_id__in": scope.organisation_ids})),
        (scope.person_ids, models.Q(**{f"{person}_id__in": scope.person_ids}) if person else None),
    )


# Helpers so that a filter, a panel or a count cannot forget the scope --------------------------------


def _scoped_base(source: type[models.Model] | models.QuerySet[Any]) -> ScopedQuerySet:
    queryset = source if isinstance(source, models.QuerySet) else source._default_manager.all()
    if not isinstance(queryset, ScopedQuerySet):
        raise TypeError(f"{queryset.model.__name__} has no scoped queryset: it cannot be read through the contract")
    return queryset


def scoped(
    user: AnyUser,
    source: type[models.Model] | models.QuerySet[Any],
    action: str = Action.VIEW,
    capability: str | None = None,
) -> ScopedQuerySet:
    """``source`` (a model or one of its querysets) limited to what ``user`` may reach for ``action``."""
    return _scoped_base(source).visible_to(user, action, capability)


def scoped_exists(
    user: AnyUser,
    source: type[models.Model] | models.QuerySet[Any],
    action: str = Action.VIEW,
    capability: str | None = None,
    **outer_refs: str,
) -> models.Exists:
    """``Exists`` over rows of ``source`` that ``user`` may see, correlated with the outer query.

    ``scoped_exists(user, Employment.objects.active().filter(is_manager=True), person="pk")`` is true for a
    person with a current, *visible* manager employment — never for one whose managing job is out of scope.
    """
    rows = scoped(user, source, action, capability).filter(
        **{lookup: models.OuterRef(outer) for lookup, outer in outer_refs.items()}
    )
    return models.Exists(rows)


def scoped_prefetch(
    user: AnyUser,
    lookup: str,
    queryset: type[models.Model] | models.QuerySet[Any],
    *,
    to_attr: str | None = None,
    action: str = Action.VIEW,
    capability: str | None = None,
) -> models.Prefetch[Any]:
    """A ``Prefetch`` of ``lookup`` that loads only related rows ``user`` may see."""
    return models.Prefetch(lookup, queryset=scoped(user, queryset, action, capability), to_attr=to_attr)
