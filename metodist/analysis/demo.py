"""The analysis part of the demo: the region's and Russia's reference figures, and the chain's proposals.

- ``build`` (``DEMO_ORDER`` 45, after the assessments part has loaded the demo results): the region's figures
  are the demo municipality's own results shifted by a few points (the region is larger and a little
  stronger), Russia's a little lower again — plausible, as ФИС ОКО would give them.
- ``propose_deficits`` (order 47, before the diagnostics' part decides deficits at 50): the methodologist runs
  the chain «дефициты класса → дефициты учителя» over every demo procedure of the municipality
  (``services.class_deficits_propose``), so teachers get proposed deficits with their classes' weak tasks.
- ``decide_after_lessons`` (order 55, after the diagnostics' part made its lesson card): a few of those
  proposals are checked at a lesson — an observation with the municipality's card, through the diagnostics'
  services — and confirmed or rejected with a note that refers to it; the rest wait for a decision.

Without results (an older demo, or the assessments part absent) each step does nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import F, Sum

from metodist.assessments.models import ClassAssessment, Procedure, StudentResult, TaskAggregate

from .choices import ReferenceLevel, ReferenceSource
from .models import ReferenceSet, ReferenceTaskRate

DEMO_ORDER = 45
DEMO_GROUP = "демонстрационные данные"
CHAIN_PREFIX = "assessments.ClassAssessment:"
OBSERVED_TEACHERS = 3
OBSERVATION_NOTE = "Урок посещён, чтобы проверить предложенные по результатам ВПР дефициты."
CONFIRM_NOTE = "На уроке подтвердилось: работа с этим умением не организована, включить в ИОМ."
REJECT_NOTE = "На уроке умение формируется системно; слабый результат класса с этим не связан."


def _clamp(value: float) -> Decimal:
    return Decimal(str(round(min(99.0, max(1.0, value)), 1)))


def build(ctx: Any) -> None:
    region = getattr(ctx, "region", None)
    if region is None:
        return
    procedures = Procedure.objects.filter(organisation__isnull=True, class_assessments__isnull=False).distinct()
    for procedure in procedures:
        results = ClassAssessment.objects.filter(procedure=procedure)
        sums = {
            row["task_id"]: row
            for row in TaskAggregate.objects.filter(class_assessment__in=results)
            .values("task_id")
            .annotate(points=Sum("points"), possible=Sum(F("participants") * F("task__max_score")))
        }
        participants = results.aggregate(n=Sum("participants"))["n"] or 0
        marks = {m: StudentResult.objects.filter(class_assessment__in=results, mark=m).count() for m in (2, 3, 4, 5)}
        marked = sum(marks.values()) or 1
        for level, territory, shift, scale in (
            (ReferenceLevel.REGION, region, 3.0, 60),
            (ReferenceLevel.RUSSIA, None, 1.0, 1500),
        ):
            reference, _created = ReferenceSet.objects.update_or_create(
                procedure=procedure,
                level=level,
                territory=territory,
                defaults={
                    "source": ReferenceSource.MANUAL,
                    "group_name": DEMO_GROUP,
                    "participants": participants * scale,
                    "mark2": _clamp(marks[2] * 100 / marked - shift),
                    "mark3": _clamp(marks[3] * 100 / marked),
                    "mark4": _clamp(marks[4] * 100 / marked + shift / 2),
                    "mark5": _clamp(marks[5] * 100 / marked + shift / 2),
                },
            )
            reference.task_rates.all().delete()
            ReferenceTaskRate.objects.bulk_create(
                ReferenceTaskRate(
                    reference=reference,
                    task_id=task_pk,
                    rate=_clamp(row["points"] * 100 / row["possible"] + shift + ctx.rng.uniform(-2, 2)),
                )
                for task_pk, row in sums.items()
                if row["possible"]
            )


def delete() -> None:
    from metodist.competences.models import TeacherDeficit
    from metodist.diagnostics.models import Observation

    Observation.objects.filter(notes=OBSERVATION_NOTE).delete()
    TeacherDeficit.objects.filter(source="assessment", source_ref__startswith=CHAIN_PREFIX).delete()
    ReferenceSet.objects.filter(group_name=DEMO_GROUP).delete()


def propose_deficits(ctx: Any) -> None:
    """The chain over the demo procedures, run by the municipality's methodologist."""
    from .services import class_deficits_propose

    methodist = ctx.users.get("methodist") if hasattr(ctx, "users") else None
    municipality = getattr(ctx, "municipality", None)
    if methodist is None or municipality is None:
        return
    for procedure in Procedure.objects.filter(organisation__isnull=True, class_assessments__isnull=False).distinct():
        class_deficits_propose(
            user=methodist,
            assessments=ClassAssessment.objects.filter(procedure=procedure, organisation__territory=municipality),
        )


def decide_after_lessons(ctx: Any) -> None:
    """A few chain proposals checked at a lesson: confirmed, rejected, or left for the coordinator."""
    import datetime

    from metodist.competences.models import TeacherDeficit
    from metodist.diagnostics import services as diagnostics
    from metodist.diagnostics.choices import CardPurpose
    from metodist.diagnostics.models import CardTemplate, Observation
    from metodist.registry.models import SchoolClass

    methodist = ctx.users.get("methodist") if hasattr(ctx, "users") else None
    card = CardTemplate.objects.filter(purpose=CardPurpose.LESSON, is_active=True).order_by("pk").first()
    if methodist is None or card is None:
        return
    proposals = TeacherDeficit.objects.filter(
        source="assessment", state="proposed", source_ref__startswith=CHAIN_PREFIX
    ).exclude(person_id=methodist.person_id or 0)
    if card.framework_id and card.framework.subject_id:  # the card is for lessons of its framework's subject
        proposals = proposals.filter(subject_id=card.framework.subject_id)
    people = list(proposals.order_by("person_id").values_list("person_id", flat=True).distinct())
    rng = ctx.rng
    for number, person_id in enumerate(rng.sample(people, k=min(OBSERVED_TEACHERS, len(people)))):
        deficits = list(proposals.filter(person_id=person_id).select_related("person", "organisation").order_by("pk"))
        first = deficits[0]
        class_pk = int(first.source_ref.split(":")[1])
        assessment = ClassAssessment.objects.select_related("procedure").get(pk=class_pk)
        school_class = SchoolClass.objects.filter(pk=assessment.school_class_id).first()
        observation = diagnostics.observation_save(
            user=methodist,
            observation=Observation(
                template=card,
                person=first.person,
                lesson_date=min(ctx.today, (assessment.procedure.held_on or ctx.today) + datetime.timedelta(days=10))
                - datetime.timedelta(days=number),
                school_class=school_class,
                subject=assessment.procedure.subject,
                topic="Урок по темам слабых заданий ВПР",
                notes=OBSERVATION_NOTE,
            ),
            deficits=deficits,
        )
        criteria = list(card.criteria.order_by("position"))
        diagnostics.ratings_save(
            user=methodist,
            observation=observation,
            values={c.pk: (rng.choice([1, 2]), "") for c in criteria},
        )
        diagnostics.observation_complete(user=methodist, observation=observation)
        for index, deficit in enumerate(deficits):
            if index % 3 == 2:
                continue  # left for the coordinator to decide
            confirm = index % 3 == 0
            diagnostics.observation_decide(
                user=methodist,
                observation=observation,
                deficit=deficit,
                confirm=confirm,
                note=CONFIRM_NOTE if confirm else REJECT_NOTE,
            )


DEMO_STEPS = [(47, propose_deficits), (55, decide_after_lessons)]
