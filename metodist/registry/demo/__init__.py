"""The registry's part of the demo: «Энская область», «Светлогорский муниципальный округ», its 20
organisations, their pedagogical workers (employments, categories, courses, awards, statuses) and
the classes of the current academic year with who teaches what.

- :mod:`.organisations` — the region, the municipality and the organisations;
- :mod:`.staffing` — subjects, curriculum and the jobs each organisation has;
- :mod:`.people` — the people who fill those jobs;
- :mod:`.classes` — classes and teaching assignments;
- :mod:`.requests` — two «заявки на подтверждение» waiting for the methodologist;
- :mod:`.context` — the shared :class:`~.context.DemoContext`, names and identifiers.

The region-scale benchmark (``bench/generate.py``) reuses these parts with its own territories.
"""

from __future__ import annotations

from auditlog.context import disable_auditlog

from metodist.registry import models as registry

from .classes import build_classes
from .context import REGION_NAME, DemoContext
from .organisations import build_organisations, build_territories
from .people import build_people
from .requests import build_match_requests

DEMO_ORDER = 10
DEMO_STEPS = [(30, build_match_requests)]  # they need the users the accounts' part makes at 20


def exists() -> bool:
    return registry.Territory.objects.filter(name=REGION_NAME, parent__isnull=True).exists()


def build(ctx: DemoContext) -> None:
    build_territories(ctx)
    build_organisations(ctx)
    build_people(ctx)
    build_classes(ctx)


def delete() -> None:
    """Remove the demo region with its organisations, people and classes."""
    with disable_auditlog():
        territories = registry.Territory.objects.filter(name=REGION_NAME, parent__isnull=True)
        municipalities = registry.Territory.objects.filter(parent__in=territories)
        organisations = registry.Organisation.objects.filter(territory__in=municipalities)
        registry.TeachingAssignment.objects.filter(school_class__organisation__in=organisations).delete()
        registry.SchoolClass.objects.filter(organisation__in=organisations).delete()
        people = registry.Person.objects.filter(employments__organisation__in=organisations)
        registry.Person.objects.filter(pk__in=list(people.values_list("pk", flat=True).distinct())).delete()
        organisations.delete()
        municipalities.delete()
        territories.delete()
