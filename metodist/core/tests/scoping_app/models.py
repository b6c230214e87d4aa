from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from metodist.core.scoping import ScopedQuerySet, UserScope, any_of

from .apps import ROUTES


class Mentorship(models.Model):
    """Наставничество (test-only): a mentor and a mentee, both registry people."""

    mentor = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="test_mentor_links")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.mentor_id} → {self.mentee_id}"


class RouteQuerySet(ScopedQuerySet):
    capability = ROUTES
    owner_field = "created_by"  # own rows: whoever wrote a route sees it

    def scope_q(self, scope: UserScope) -> Q:
        from metodist.registry.models import Employment
        from metodist.registry.querysets import active_on

        current = Employment.objects.filter(active_on()).filter(person=OuterRef("person"))
        return any_of(
            (scope.territory_ids, Q(Exists(current.filter(organisation__territory_id__in=scope.territory_ids)))),
            (scope.organisation_ids, Q(Exists(current.filter(organisation_id__in=scope.organisation_ids)))),
            (scope.person_ids, Q(person_id__in=scope.person_ids)),
        )


class Route(models.Model):
    """Индивидуальный образовательный маршрут (test-only) of one person."""

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RouteQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title
