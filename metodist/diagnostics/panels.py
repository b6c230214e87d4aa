"""The diagnostics' panel on a teacher's deficits page (metodist.competences.panels): their campaigns with the
questionnaire's state, and the observations of their lessons — each read through the permission contract."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q
from django.http import HttpRequest

from .models import Observation, Participant

SHOWN = 10


def teacher_panel(request: HttpRequest, person: Any) -> dict[str, Any] | None:
    user = request.user
    participations = list(
        Participant.objects.visible_to(user)
        .filter(person=person)
        .select_related("campaign", "organisation")
        .annotate(below=Count("results", filter=Q(results__level__lt=F("results__threshold"))))
        .order_by("-campaign__starts_on", "-pk")[:SHOWN]
    )
    observations = list(
        Observation.objects.visible_to(user)
        .filter(person=person)
        .select_related("template", "school_class", "subject")
        .order_by("-lesson_date", "-pk")[:SHOWN]
    )
    if not participations and not observations:
        return None
    return {
        "participations": participations,
        "observations": observations,
        "is_own": person.pk == getattr(user, "person_id", None),
    }
