"""The analysis' panel on a teacher's deficits page: «Слабые задания классов педагога».

Registered with :func:`metodist.competences.panels.register_teacher_panel` from ``AppConfig.ready()``. It
lists the latest results of the classes the teacher teaches in the procedure's subject — only those the
viewer may see (``ClassAssessment.objects.visible_to``; the assignment condition is itself scoped) — with
each class's insufficient tasks against the thresholds in force, or «не информативно» for a small group.
Tasks and shares only: no student, and no comparison with other teachers.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from metodist.assessments.models import ClassAssessment
from metodist.core.permissions import Action
from metodist.core.scoping import can, scoped_exists
from metodist.registry.models import TeachingAssignment

from . import chain

ASSESSMENTS = "assessments"
LIMIT = 8  # the latest results shown; the analysis pages have the rest


def teacher_weak_tasks(request: HttpRequest, person: Any) -> dict[str, Any] | None:
    """The panel's context, or ``None`` (hidden) when the viewer sees no results of the teacher's classes."""
    user = request.user
    if not can(user, Action.VIEW, ASSESSMENTS):
        return None
    taught = scoped_exists(
        user,
        TeachingAssignment.objects.filter(person_id=person.pk),
        school_class="school_class",
        subject="procedure__subject",
    )
    ids = list(
        ClassAssessment.objects.visible_to(user)
        .filter(taught)
        .order_by("-procedure__academic_year", "-procedure__held_on", "-pk")
        .values_list("pk", flat=True)[: LIMIT + 1]
    )
    if not ids:
        return None
    plans = chain.plan_classes(ClassAssessment.objects.filter(pk__in=ids[:LIMIT]), user=user, with_teachers=False)
    order = {pk: index for index, pk in enumerate(ids)}
    plans.sort(key=lambda plan: order[plan.assessment.pk])
    return {"plans": plans, "more": len(ids) > LIMIT}
