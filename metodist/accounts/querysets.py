"""Scoping of user accounts: who a manager of accounts may see and manage (capability «accounts»)."""

from __future__ import annotations

from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db.models import Exists, OuterRef, Q

from metodist.core.scoping import ScopedQuerySet, UserScope, any_of

from .choices import ROLE_SCOPE_KIND, Capability, ScopeKind


class UserQuerySet(ScopedQuerySet):
    """Users whose role assignments or registry profile fall into a scope (capability «accounts»).

    A user is in a territory's scope when one of their roles is bound to the territory (or a territory
    below it) or to an organisation of it, or when their registry profile currently works there; the same
    for an organisation. Users with the global role are reached only by the global scope.
    """

    capability = Capability.ACCOUNTS

    def scope_q(self, scope: UserScope) -> Q:
        from metodist.registry.models import Employment as employment  # imported late: the user model loads first

        from .models import RoleAssignment

        roles = RoleAssignment.objects.filter(user=OuterRef("pk"))
        works = employment.objects.active().filter(person=OuterRef("person_id"))
        territories, organisations = scope.territory_ids, scope.organisation_ids
        return any_of(
            (
                territories,
                Q(Exists(roles.filter(Q(territory_id__in=territories) | Q(organisation__territory_id__in=territories))))
                | Q(Exists(works.filter(organisation__territory_id__in=territories))),
            ),
            (
                organisations,
                Q(Exists(roles.filter(organisation_id__in=organisations)))
                | Q(Exists(works.filter(organisation_id__in=organisations))),
            ),
            (scope.person_ids, Q(person_id__in=scope.person_ids)),
        )


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's user manager with :class:`UserQuerySet`."""


class RoleAssignmentQuerySet(ScopedQuerySet):
    """Role assignments whose territory or organisation lies in a scope (profile roles name no place)."""

    capability = Capability.ACCOUNTS

    def scope_q(self, scope: UserScope) -> Q:
        profile_roles = [role for role, kind in ROLE_SCOPE_KIND.items() if kind == ScopeKind.SELF]
        return Q(role__in=profile_roles) | any_of(
            (
                scope.territory_ids,
                Q(territory_id__in=scope.territory_ids) | Q(organisation__territory_id__in=scope.territory_ids),
            ),
            (scope.organisation_ids, Q(organisation_id__in=scope.organisation_ids)),
        )
