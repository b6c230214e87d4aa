from django.db.models import Q

from metodist.core.scoping import ScopedQuerySet, UserScope, any_of

from .permissions import CAPABILITY, FRAMEWORK_CAPABILITY


class TeacherDeficitQuerySet(ScopedQuerySet):
    """A deficit is reached through its organisation's scope, or by the teacher it belongs to."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        return any_of(
            (scope.territory_ids, Q(organisation__territory_id__in=scope.territory_ids)),
            (scope.organisation_ids, Q(organisation_id__in=scope.organisation_ids)),
            (scope.person_ids, Q(person_id__in=scope.person_ids)),
        )


class FrameworkQuerySet(ScopedQuerySet):
    """Frameworks are reference data: every user whose roles read them (``competence_frameworks``) sees all."""

    capability = FRAMEWORK_CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        return Q(pk__isnull=False)  # every row (an empty Q() would be dropped from the contract's OR)


class CompetenceNodeQuerySet(FrameworkQuerySet):
    """Nodes follow their framework: reference data for every reader of frameworks."""
