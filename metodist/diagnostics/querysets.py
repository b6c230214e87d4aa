"""Scoping of the diagnostics (metodist.core.scoping): how each row reaches a territory, a school, a person."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db.models import Exists, OuterRef, Q

from metodist.core.permissions import Action
from metodist.core.scoping import ScopedQuerySet, UserScope, any_of, placed_q, scope_for

from .permissions import CAPABILITY

if TYPE_CHECKING:
    from metodist.core.types import AnyUser


def _owned_q(scope: UserScope) -> Q:
    """Rows owned by a territory (``territory``) or by one school (``organisation``)."""
    return any_of(
        (scope.territory_ids, Q(territory_id__in=scope.territory_ids)),
        (scope.organisation_ids, Q(organisation_id__in=scope.organisation_ids)),
    )


class CampaignQuerySet(ScopedQuerySet):
    """A campaign is reached by its municipality's scope, by the schools of its participants (a coordinator
    follows their teachers in a municipal campaign) and by its participants themselves."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        from .models import Participant

        return any_of(
            (scope.territory_ids, Q(territory_id__in=scope.territory_ids)),
            (
                scope.organisation_ids,
                Q(organisation_id__in=scope.organisation_ids)
                | Q(
                    Exists(
                        Participant.objects.filter(campaign=OuterRef("pk"), organisation_id__in=scope.organisation_ids)
                    )
                ),
            ),
            (
                scope.person_ids,
                Q(Exists(Participant.objects.filter(campaign=OuterRef("pk"), person_id__in=scope.person_ids))),
            ),
        )

    def editable_by(self, user: AnyUser | None) -> Self:
        """Campaigns ``user`` may change: those their territory or their school owns (not merely takes part in)."""
        scope = scope_for(user, Action.CHANGE, CAPABILITY)
        if scope.is_global:
            return self.all()
        if scope.is_structural_empty:
            return self.none()
        return self.filter(_owned_q(scope))


class ParticipantQuerySet(ScopedQuerySet):
    """A participant is reached through the school they take part from, and by the teacher themselves."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        return placed_q(scope)


class ResultQuerySet(ScopedQuerySet):
    """A result is reached through the school it was measured in, and by the teacher it measures."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        return placed_q(scope)


class CardTemplateQuerySet(ScopedQuerySet):
    """Card templates are reference data: shared ones (no territory) for all, a municipality's for its users."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        from metodist.registry.models import Employment, Organisation
        from metodist.registry.querysets import active_on

        return Q(territory__isnull=True) | any_of(
            (scope.territory_ids, Q(territory_id__in=scope.territory_ids)),
            (
                scope.organisation_ids,
                Q(Exists(Organisation.objects.filter(territory=OuterRef("territory"), id__in=scope.organisation_ids))),
            ),
            (
                scope.person_ids,
                Q(
                    Exists(
                        Employment.objects.filter(active_on()).filter(
                            organisation__territory=OuterRef("territory"), person_id__in=scope.person_ids
                        )
                    )
                ),
            ),
        )

    def editable_by(self, user: AnyUser | None) -> Self:
        """A methodologist edits their territory's templates; shared ones only the administrator."""
        scope = scope_for(user, Action.CHANGE, CAPABILITY)
        if scope.is_global:
            return self.all()
        if not scope.territory_ids:
            return self.none()
        return self.filter(territory_id__in=scope.territory_ids)


class ObservationQuerySet(ScopedQuerySet):
    """An observation is reached through the school of the lesson and by the observed teacher (read);
    an expert reaches the ones they write (relation scope ``diagnostics.observer``)."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        return placed_q(scope)


class ObservationPartQuerySet(ScopedQuerySet):
    """Ratings and attachments of an observation: visible when the observation is."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        from .models import Observation

        return Q(observation__in=Observation.objects.filter(Observation.objects.all().scope_q(scope)).values("pk"))
