"""Scoping of the analysis app's own rows (capability ``analysis``)."""

from __future__ import annotations

from django.db.models import Q

from metodist.core.scoping import ScopedQuerySet, UserScope, any_of

from .permissions import CAPABILITY


def _territories_of(scope: UserScope) -> Q:
    """Territories the scope reaches, with the region above a municipality and a school's municipality."""
    from metodist.registry.models import Organisation, Territory

    in_scope = Territory.objects.filter(pk__in=scope.territory_ids)
    own_schools = Organisation.objects.filter(pk__in=scope.organisation_ids)
    return any_of(
        (scope.territory_ids, Q(pk__in=scope.territory_ids) | Q(pk__in=in_scope.values("parent_id"))),
        (
            scope.organisation_ids,
            Q(pk__in=own_schools.values("territory_id")) | Q(pk__in=own_schools.values("territory__parent_id")),
        ),
    )


class AnalysisThresholdsQuerySet(ScopedQuerySet):
    """The global row is everyone's; a territory's row is seen where that territory (or one inside it) is in scope.

    Changing the global row needs a global scope, and a territory's row the territory itself in the
    change scope (the views check it: ``scope_q`` cannot tell the action).
    """

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        from metodist.registry.models import Territory

        return Q(territory__isnull=True) | Q(territory__in=Territory.objects.filter(_territories_of(scope)))


class ReferenceSetQuerySet(ScopedQuerySet):
    """Russia's figures are everyone's; a region's or a municipality's are seen inside that territory."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        from metodist.registry.models import Territory

        return Q(territory__isnull=True) | Q(territory__in=Territory.objects.filter(_territories_of(scope)))
