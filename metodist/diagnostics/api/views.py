"""Endpoints of the diagnostics API: campaigns, participants (responses), results and observations — read only,
every queryset through ``visible_to`` (an object out of scope is a 404)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, Prefetch

from metodist.core.api import ReadViewSet
from metodist.core.filters import YesNoFilter
from metodist.core.scoping import ScopedQuerySet

from ..choices import CampaignState, Method, ObservationState, ParticipantState
from ..models import Campaign, Observation, Participant, Rating, Result
from . import serializers


class CampaignFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=CampaignState.choices)
    academic_year = django_filters.NumberFilter()

    class Meta:
        model = Campaign
        fields = ["state", "academic_year", "territory"]


class ParticipantFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ParticipantState.choices)

    class Meta:
        model = Participant
        fields = ["campaign", "state", "organisation", "person"]


class ResultFilter(django_filters.FilterSet):
    method = django_filters.ChoiceFilter(choices=Method.choices)
    below = YesNoFilter(method="filter_below")

    class Meta:
        model = Result
        fields = ["campaign", "method", "person", "node", "observation"]

    def filter_below(self, queryset: Any, name: str, value: bool | None) -> Any:
        from django.db.models import F

        if value is None:
            return queryset
        return queryset.filter(level__lt=F("threshold")) if value else queryset.exclude(level__lt=F("threshold"))


class ObservationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ObservationState.choices)

    class Meta:
        model = Observation
        fields = ["campaign", "person", "organisation", "state"]


class CampaignViewSet(ReadViewSet):
    """Диагностические кампании."""

    model = Campaign
    serializer_class = serializers.CampaignSerializer
    filterset_class = CampaignFilter

    def decorate(self, queryset: ScopedQuerySet) -> ScopedQuerySet:
        decorated: ScopedQuerySet = queryset.select_related("framework").prefetch_related("indicators")
        return decorated


class ParticipantViewSet(ReadViewSet):
    """Участники кампаний и ход их анкет самооценки."""

    model = Participant
    serializer_class = serializers.ParticipantSerializer
    filterset_class = ParticipantFilter
    audit_list_reads = True

    def decorate(self, queryset: ScopedQuerySet) -> ScopedQuerySet:
        decorated: ScopedQuerySet = (
            queryset.select_related("person").annotate(answers_count=Count("answers")).order_by("campaign", "pk")
        )
        return decorated


class ResultViewSet(ReadViewSet):
    """Результаты диагностики по показателям: источник, автор, дата, основания, дефицит."""

    model = Result
    serializer_class = serializers.ResultSerializer
    filterset_class = ResultFilter
    audit_list_reads = True

    def decorate(self, queryset: ScopedQuerySet) -> ScopedQuerySet:
        decorated: ScopedQuerySet = queryset.select_related("node", "deficit").order_by("pk")
        return decorated


class ObservationViewSet(ReadViewSet):
    """Наблюдения уроков с оценками по критериям карты."""

    model = Observation
    serializer_class = serializers.ObservationSerializer
    filterset_class = ObservationFilter
    audit_list_reads = True

    def decorate(self, queryset: ScopedQuerySet) -> ScopedQuerySet:
        decorated: ScopedQuerySet = queryset.prefetch_related(
            Prefetch("ratings", queryset=Rating.objects.select_related("criterion").order_by("criterion__position")),
            "attachments",
        ).order_by("-lesson_date", "-pk")
        return decorated
