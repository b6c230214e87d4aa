"""Endpoints of the competences API: frameworks with their nodes (reference data), teachers' deficits (scoped).

Frameworks are read by every user whose roles give ``competence_frameworks`` VIEW (the scoped queryset of
``Framework`` admits all rows to them). Deficits come from ``TeacherDeficit.objects.visible_to``: an
out-of-scope deficit is a 404, a list shows only the user's scope.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers as drf_serializers

from metodist.core.api import ReadViewSet
from metodist.core.scoping import ScopedQuerySet

from .. import filters
from ..models import CompetenceNode, Framework, TeacherDeficit
from . import serializers


class DeficitFilter(filters.DeficitFilter):
    """The list page's filters, with choices of territories and organisations in the user's scope."""

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None, **kwargs: Any) -> None:
        super().__init__(data, queryset, request=request, user=getattr(request, "user", None), **kwargs)

    @extend_schema_field(OpenApiTypes.INT)
    def filter_territory(self, queryset: Any, name: str, value: Any) -> Any:
        return super().filter_territory(queryset, name, value)

    @extend_schema_field(OpenApiTypes.INT)
    def filter_subject(self, queryset: Any, name: str, value: Any) -> Any:
        return super().filter_subject(queryset, name, value)

    @extend_schema_field(OpenApiTypes.STR)
    def filter_q(self, queryset: Any, name: str, value: Any) -> Any:
        return super().filter_q(queryset, name, value)

    @extend_schema_field(OpenApiTypes.STR)
    def filter_area(self, queryset: Any, name: str, value: Any) -> Any:
        return super().filter_area(queryset, name, value)


@extend_schema(tags=["competences"])
@extend_schema_view(
    list=extend_schema(summary="Competence frameworks (the professional standard, subject-methodological indicators)"),
    retrieve=extend_schema(summary="A framework with its nodes in tree order"),
)
class FrameworkViewSet(ReadViewSet):
    model = Framework
    audit_list_reads = False  # reference data, no personal data

    def get_serializer_class(self) -> type[drf_serializers.Serializer[Any]]:
        if self.action == "retrieve":
            return serializers.FrameworkDetailSerializer
        return serializers.FrameworkSerializer

    def decorate(self, queryset: ScopedQuerySet) -> ScopedQuerySet:
        annotated: ScopedQuerySet = queryset.annotate(node_count=Count("nodes")).order_by("name", "-version", "id")
        return annotated


class NodeFilterSet(django_filters.FilterSet):
    framework = django_filters.NumberFilter(field_name="framework_id")
    code = django_filters.CharFilter(method="filter_code")

    class Meta:
        model = CompetenceNode
        fields: list[str] = []

    def filter_code(self, queryset: QuerySet[CompetenceNode], name: str, value: str) -> QuerySet[CompetenceNode]:
        from ..selectors import nodes_by_codes

        return queryset.filter(pk__in=[node.pk for node in nodes_by_codes(value).values()])


@extend_schema(tags=["competences"])
@extend_schema_view(
    list=extend_schema(summary="Nodes of the frameworks (filter by framework or by codes, «A/01.6, ПМ-М.1»)"),
    retrieve=extend_schema(summary="A node of a framework"),
)
class CompetenceNodeViewSet(ReadViewSet):
    model = CompetenceNode
    serializer_class = serializers.CompetenceNodeSerializer
    filterset_class = NodeFilterSet
    audit_list_reads = False

    def decorate(self, queryset: ScopedQuerySet) -> ScopedQuerySet:
        return queryset.select_related("parent")


@extend_schema(tags=["competences"])
@extend_schema_view(
    list=extend_schema(summary="Teachers' deficits in the user's scope"),
    retrieve=extend_schema(summary="A teacher's deficit"),
)
class TeacherDeficitViewSet(ReadViewSet):
    model = TeacherDeficit
    serializer_class = serializers.TeacherDeficitSerializer
    filterset_class = DeficitFilter
    audit_list_reads = True  # a teacher's deficits are personal data
    audit_what = "Дефициты педагогов"

    def decorate(self, queryset: ScopedQuerySet) -> ScopedQuerySet:
        return queryset.select_related("person", "node").order_by("-created_at", "id")
