"""Read-only API of the analysis (scoped like the pages): a class's analysis, a school's, a territory's."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import F, Sum
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from metodist.assessments.models import ClassAssessment, Procedure
from metodist.core.api import NOT_FOUND, ReadViewSet
from metodist.core.scoping import ScopedQuerySet

from .. import reports, selectors
from .serializers import ClassAssessmentSummarySerializer, ProcedureSummarySerializer, analysis_data

BAD_ID = "Укажите число."


class ClassAnalysisViewSet(ReadViewSet):
    """Анализ класса: the list gives each visible class's average; the detail the whole analysis."""

    model = ClassAssessment
    serializer_class = ClassAssessmentSummarySerializer

    def decorate(self, queryset: ScopedQuerySet) -> ScopedQuerySet:
        annotated = queryset.select_related("procedure", "organisation").annotate(
            total_points=Sum("task_aggregates__points"),
            possible_points=Sum(F("task_aggregates__participants") * F("task_aggregates__task__max_score")),
        )
        return cast(ScopedQuerySet, annotated.order_by("procedure_id", "organisation_id", "class_label", "pk"))

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assessment = self.get_object()
        return Response(analysis_data(reports.class_analysis(request.user, assessment)))


def _int(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except ValueError:
        raise ValidationError({name: [BAD_ID]}) from None


class ProcedureAnalysisViewSet(ReadViewSet):
    """Анализ процедуры: ``?territory=`` (a municipality or a region) or ``?school=`` — in the user's scope."""

    model = Procedure
    serializer_class = ProcedureSummarySerializer

    def decorate(self, queryset: ScopedQuerySet) -> ScopedQuerySet:
        visible = ClassAssessment.objects.visible_to(self.request.user)
        return queryset.filter(class_assessments__in=visible.values("pk")).distinct().order_by("-academic_year", "pk")

    @extend_schema(
        parameters=[
            OpenApiParameter("territory", int, description="Муниципалитет или регион в вашей зоне доступа"),
            OpenApiParameter("school", int, description="Школа в вашей зоне доступа"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        procedure = self.get_object()
        school, territory = _int(request, "school"), _int(request, "territory")
        try:
            if school is not None:
                organisation = selectors.school_or_404(request.user, school)
                analysis = reports.school_analysis(request.user, procedure, organisation)
                if not analysis.rows:
                    raise NotFound(NOT_FOUND)
            elif territory is not None:
                place = selectors.territory_or_404(request.user, territory)
                analysis = reports.territory_analysis(request.user, procedure, place)
            else:
                raise ValidationError({"territory": ["Укажите территорию (territory) или школу (school)."]})
        except Http404:
            raise NotFound(NOT_FOUND) from None
        return Response(analysis_data(analysis))
