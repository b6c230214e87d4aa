"""Reads of the assessments pages, every one through the permission contract (capability «assessments»)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from metodist.core.permissions import Action

from .models import ClassAssessment, Procedure, StudentResult, Task, TaskAggregate, TaskScore

if TYPE_CHECKING:
    from metodist.core.types import AnyUser


def _count(queryset: Any) -> Subquery:
    return Subquery(
        queryset.order_by().values("procedure").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()
    )


def procedure_list(user: AnyUser, action: str = Action.VIEW) -> Any:
    """Procedures the user may see, with their task count, maximum and the classes loaded that the user sees."""
    tasks = Task.objects.filter(procedure=OuterRef("pk"))
    loaded = ClassAssessment.objects.visible_to(user).filter(procedure=OuterRef("pk"))
    return (
        Procedure.objects.visible_to(user, action)
        .select_related("subject", "organisation")
        .annotate(
            task_count=Coalesce(_count(tasks), Value(0)),
            max_total=Coalesce(
                Subquery(
                    tasks.order_by().values("procedure").annotate(s=Sum("max_score")).values("s")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            classes_loaded=Coalesce(_count(loaded), Value(0)),
        )
    )


def procedure_classes(user: AnyUser, procedure: Procedure) -> Any:
    """The procedure's loaded classes the user may see, with their points summed over the tasks."""
    return (
        ClassAssessment.objects.visible_to(user)
        .filter(procedure=procedure)
        .select_related("organisation", "school_class")
        .annotate(points=Coalesce(Sum("task_aggregates__points"), Value(0)))
        .order_by("organisation__short_name", "class_label")
    )


def class_tasks(assessment: ClassAssessment) -> list[TaskAggregate]:
    """The per-task figures of one class (in the task order), with the task."""
    return list(
        TaskAggregate.objects.filter(class_assessment=assessment).select_related("task").order_by("task__position")
    )


def class_students(assessment: ClassAssessment) -> list[StudentResult]:
    """The class's students with their scores in task order (two queries, whatever the size)."""
    return list(
        StudentResult.objects.filter(class_assessment=assessment)
        .order_by("student_code")
        .prefetch_related(
            Prefetch("scores", queryset=TaskScore.objects.order_by("task__position"), to_attr="ordered_scores")
        )
    )
