"""Who may manage whose account (capability «accounts»).

Managers of accounts are administrators (everything), methodologists (their territories and everything
below them) and coordinators (teacher accounts of their organisation's staff). Observers, teachers and
the relation roles manage no accounts.

- «Методист ММС» / «Руководитель / наблюдатель»: for a territory inside the methodologist's own;
- «Координатор ОО»: for an organisation of the methodologist's territories;
- «Педагог» (and the other roles bound to a registry profile): for a user whose profile the manager may
  change — a person of the methodologist's territory or of the coordinator's organisation (a coordinator
  gives only «Педагог»);
- «Администратор системы»: only an administrator.

Accounts stand above the registry in the import layers: roles are given for its territories,
organisations and people. The registry's models are imported inside the functions because
``accounts.models`` (the user model) is loaded before the registry's models.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from metodist.core.scoping import UserScope, scope_for

from .choices import ROLE_SCOPE_KIND, Action, Capability, Role, ScopeKind

# The roles a coordinator may give; everything else needs a territory scope.
COORDINATOR_ASSIGNABLE_ROLES = frozenset({Role.TEACHER})


def accounts_scope(user) -> UserScope:
    """The scope in which ``user`` manages accounts (capability «accounts», action «change»)."""
    return scope_for(user, Action.CHANGE, Capability.ACCOUNTS)


def can_manage_accounts(user) -> bool:
    return not accounts_scope(user).is_empty


def assignable_territories(user) -> QuerySet:
    from metodist.registry.models import Territory

    scope = accounts_scope(user)
    if scope.is_global:
        return Territory.objects.all()
    return Territory.objects.filter(id__in=scope.territory_ids)


def assignable_organisations(user) -> QuerySet:
    """Organisations ``user`` may give a coordinator to (and create staff accounts for, see below)."""
    from metodist.registry.models import Organisation

    scope = accounts_scope(user)
    if scope.is_global:
        return Organisation.objects.all()
    return Organisation.objects.filter(territory_id__in=scope.territory_ids)


def staff_organisations(user) -> QuerySet:
    """Organisations whose staff ``user`` may give teacher accounts in bulk (a coordinator: their own)."""
    from metodist.registry.models import Organisation

    scope = accounts_scope(user)
    if scope.is_global:
        return Organisation.objects.all()
    return Organisation.objects.filter(territory_id__in=scope.territory_ids) | Organisation.objects.filter(
        id__in=scope.organisation_ids
    )


def persons_for_accounts(user) -> Any:
    """Registry people ``user`` may give an account with a profile role."""
    from metodist.registry.models import Person

    return Person.objects.visible_to(user, Action.CHANGE)


def assignable_roles(user, *, with_profile: bool = True) -> list[str]:
    """Roles ``user`` may give somewhere; without ``with_profile``, only roles that need no registry profile."""
    scope = accounts_scope(user)
    roles: set[str] = set()
    if scope.is_global:
        roles = set(Role.values)
    if scope.territory_ids:
        roles |= {role for role in Role.values if role != Role.ADMIN}
    if scope.organisation_ids:
        roles |= COORDINATOR_ASSIGNABLE_ROLES
    if not with_profile:
        roles = {role for role in roles if ROLE_SCOPE_KIND[role] != ScopeKind.SELF}
    return [role for role in Role.values if role in roles]


def can_assign(user, *, role: str, territory=None, organisation=None, person_id: int | None = None) -> bool:
    """Whether ``user`` may give (or take away) ``role`` bound to this territory / organisation / profile."""
    scope = accounts_scope(user)
    if scope.is_global:
        return True
    kind = ROLE_SCOPE_KIND.get(role)
    if kind == ScopeKind.TERRITORY:
        return territory is not None and territory.pk in scope.territory_ids
    if kind == ScopeKind.ORGANISATION:
        return organisation is not None and organisation.territory_id in scope.territory_ids
    if kind == ScopeKind.SELF:
        if person_id is None:
            return False
        if not scope.territory_ids and role not in COORDINATOR_ASSIGNABLE_ROLES:
            return False
        return persons_for_accounts(user).filter(pk=person_id).exists()
    return False


def can_manage_user(user, target) -> bool:
    """Whether ``user`` may deactivate ``target`` or send them an invitation: every role of theirs is ours.

    Nobody manages their own account here, and only an administrator manages a superuser.
    """
    if target.pk == user.pk:
        return False
    scope = accounts_scope(user)
    if scope.is_global:
        return True
    if target.is_superuser or target.is_staff:
        return False
    assignments = list(target.role_assignments.select_related("territory", "organisation"))
    if not assignments:
        return target.person_id is not None and persons_for_accounts(user).filter(pk=target.person_id).exists()
    return all(
        can_assign(
            user,
            role=a.role,
            territory=a.territory,
            organisation=a.organisation,
            person_id=target.person_id,
        )
        for a in assignments
    )
