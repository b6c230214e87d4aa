from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db.models import Exists, OuterRef, Q

from metodist.core.permissions import Action
from metodist.core.scoping import ScopedQuerySet, UserScope, any_of, placed_q, scope_for

from .permissions import CAPABILITY

if TYPE_CHECKING:
    from metodist.core.types import AnyUser


class ProcedureQuerySet(ScopedQuerySet):
    """Procedures are reference data of the region; a school's own diagnostic stays in its scope."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        shared = Q(organisation__isnull=True)
        return shared | any_of(
            (scope.territory_ids, Q(organisation__territory_id__in=scope.territory_ids)),
            (scope.organisation_ids, Q(organisation_id__in=scope.organisation_ids)),
            (scope.person_ids, Q(pk__in=[])),
        )

    def access_q(self, user: AnyUser | None, action: str = Action.VIEW, capability: str | None = None) -> Q | None:
        """Shared procedures (ВПР, ОГЭ …) are changed only by those whose scope covers a territory
        (methodologists) or everything; a coordinator changes only their school's own diagnostics."""
        condition = super().access_q(user, action, capability)
        if condition is None or action != Action.CHANGE:
            return condition
        if scope_for(user, action, capability or self.capability).territory_ids:
            return condition
        return condition & Q(organisation__isnull=False)


def class_results_q(scope: UserScope, prefix: str = "") -> Q:
    """Results of one class: the school's scope, and the teachers of that class in the procedure's subject.
    ``prefix`` is the path from the queried row to its ``ClassAssessment`` (e.g. ``"class_assessment__"``)."""
    from metodist.registry.models import TeachingAssignment

    teaches = Exists(
        TeachingAssignment.objects.filter(
            school_class=OuterRef(f"{prefix}school_class"),
            subject=OuterRef(f"{prefix}procedure__subject"),
            person_id__in=scope.person_ids,
        )
    )
    return placed_q(scope, organisation=f"{prefix}organisation", person=None) | any_of((scope.person_ids, Q(teaches)))


class ClassAssessmentQuerySet(ScopedQuerySet):
    """Results of one class (:func:`class_results_q`)."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        return class_results_q(scope)


class StudentResultQuerySet(ScopedQuerySet):
    """A student's row is reached through its class's results (same rule, one hop further)."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        return class_results_q(scope, "class_assessment__")


class ResultUploadQuerySet(ScopedQuerySet):
    """An uploaded result file is seen by the one who uploaded it; an administrator sees every file."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:  # pragma: no cover - visible_to needs the user, see below
        return Q(pk__in=[])

    def visible_to(self, user: AnyUser | None, action: str = Action.IMPORT, capability: str | None = None) -> Self:
        scope = scope_for(user, action, capability or self.capability)
        if scope.is_global:
            return self.all()
        if scope.is_empty or user is None:
            return self.none()
        return self.filter(created_by_id=user.pk)
