"""The analysis part of the demo: the region's and Russia's reference figures for the demo procedures.

Runs after the assessments part has loaded the demo results (``DEMO_ORDER`` 45). The region's figures
are the demo municipality's own results shifted by a few points (the region is larger and a little
stronger), Russia's a little lower again — plausible, as ФИС ОКО would give them. Without results
(an older demo, or the assessments part absent) it does nothing.
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
    ReferenceSet.objects.filter(group_name=DEMO_GROUP).delete()
