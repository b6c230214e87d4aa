"""Endpoints of the assessments API (read-only, scoped): procedures with their tasks, class results.

Class results carry anonymous student codes only; a list gives the per-task figures of each class, a class's
own URL adds its students with their scores.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view

from metodist.core.api import ReadViewSet

from ..filters import ProcedureFilter
from ..models import ClassAssessment, Procedure, StudentResult, Task, TaskAggregate, TaskScore
from . import serializers


@extend_schema(tags=["assessments"])
@extend_schema_view(
    list=extend_schema(summary="Assessment procedures (ВПР, ОГЭ, diagnostics) with their task specification"),
    retrieve=extend_schema(summary="An assessment procedure with its tasks"),
)
class ProcedureViewSet(ReadViewSet):
    model = Procedure
    serializer_class = serializers.ProcedureSerializer
    filterset_class = ProcedureFilter

    def decorate(self, queryset: Any) -> Any:
        return queryset.select_related("subject").prefetch_related(
            Prefetch("tasks", queryset=Task.objects.order_by("position"))
        )


class ClassAssessmentFilter(django_filters.FilterSet):
    procedure = django_filters.NumberFilter(field_name="procedure_id")
    organisation = django_filters.NumberFilter(field_name="organisation_id")

    class Meta:
        model = ClassAssessment
        fields: list[str] = []


@extend_schema(tags=["assessments"])
@extend_schema_view(
    list=extend_schema(summary="Results of classes (per-task figures) in the user's scope"),
    retrieve=extend_schema(summary="Results of one class with its students (anonymous codes) and their scores"),
)
class ClassAssessmentViewSet(ReadViewSet):
    model = ClassAssessment
    filterset_class = ClassAssessmentFilter

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return serializers.ClassAssessmentDetailSerializer
        return serializers.ClassAssessmentSerializer

    def decorate(self, queryset: Any) -> Any:
        aggregates = Prefetch(
            "task_aggregates", queryset=TaskAggregate.objects.select_related("task").order_by("task__position")
        )
        queryset = queryset.select_related("organisation").prefetch_related(aggregates).order_by("pk")
        if self.action == "retrieve":
            scores = Prefetch("scores", queryset=TaskScore.objects.order_by("task__position"), to_attr="ordered_scores")
            students = Prefetch(
                "students", queryset=StudentResult.objects.order_by("student_code").prefetch_related(scores)
            )
            queryset = queryset.prefetch_related(students)
        return queryset
