from django.db.models import Q

from metodist.core.scoping import ScopedQuerySet, UserScope, placed_q

from .permissions import CAPABILITY, FRAMEWORK_CAPABILITY


class TeacherDeficitQuerySet(ScopedQuerySet):
    """A deficit is reached through its organisation's scope, or by the teacher it belongs to."""

    capability = CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        return placed_q(scope)


class FrameworkQuerySet(ScopedQuerySet):
    """Frameworks are reference data: every user whose roles read them (``competence_frameworks``) sees all."""

    capability = FRAMEWORK_CAPABILITY

    def scope_q(self, scope: UserScope) -> Q:
        return Q(pk__isnull=False)  # every row (an empty Q() would be dropped from the contract's OR)


class CompetenceNodeQuerySet(FrameworkQuerySet):
    """Nodes follow their framework: reference data for every reader of frameworks."""
