from django.db.models import Exists, OuterRef, Q

from metodist.core.scoping import ScopedQuerySet, UserScope, any_of

from .permissions import CAPABILITY


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


class ClassAssessmentQuerySet(ScopedQuerySet):
    """Results of one class: the school's scope, and the teachers of that class in that subject."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        from metodist.registry.models import TeachingAssignment

        return any_of(
            (scope.territory_ids, Q(organisation__territory_id__in=scope.territory_ids)),
            (scope.organisation_ids, Q(organisation_id__in=scope.organisation_ids)),
            (
                scope.person_ids,
                Q(
                    Exists(
                        TeachingAssignment.objects.filter(
                            school_class=OuterRef("school_class"),
                            subject=OuterRef("procedure__subject"),
                            person_id__in=scope.person_ids,
                        )
                    )
                ),
            ),
        )


class StudentResultQuerySet(ScopedQuerySet):
    """A student's row is reached through its class's results (same rule, one hop further)."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        from metodist.registry.models import TeachingAssignment

        return any_of(
            (scope.territory_ids, Q(class_assessment__organisation__territory_id__in=scope.territory_ids)),
            (scope.organisation_ids, Q(class_assessment__organisation_id__in=scope.organisation_ids)),
            (
                scope.person_ids,
                Q(
                    Exists(
                        TeachingAssignment.objects.filter(
                            school_class=OuterRef("class_assessment__school_class"),
                            subject=OuterRef("class_assessment__procedure__subject"),
                            person_id__in=scope.person_ids,
                        )
                    )
                ),
            ),
        )
