"""Filters of the deficits list (the same filter set serves the page, the export and the API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.forms import NumberInput
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from metodist.core.filters import StyledFilterSet, YesNoFilter
from metodist.core.widgets import AutocompleteSelect
from metodist.registry.choices import TerritoryKind
from metodist.registry.models import Organisation, Subject, Territory

from .choices import CompetenceArea, DeficitSource, DeficitState
from .models import Framework, TeacherDeficit
from .selectors import node_ids_with_area


class DeficitFilter(StyledFilterSet):
    search_placeholder = _("ФИО педагога или код")

    q = django_filters.CharFilter(label=_("Поиск"), method="filter_q")
    state = django_filters.ChoiceFilter(label=_("Состояние"), choices=DeficitState.choices)
    source = django_filters.ChoiceFilter(label=_("Источник"), choices=DeficitSource.choices)
    area = django_filters.ChoiceFilter(
        label=_("Область компетенций"), choices=CompetenceArea.choices, method="filter_area"
    )
    territory = django_filters.ModelChoiceFilter(
        label=_("Муниципалитет"), queryset=Territory.objects.none(), method="filter_territory"
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Организация"),
        queryset=Organisation.objects.none(),
        widget=AutocompleteSelect(reverse_lazy("registry:organisation_autocomplete"), follow="territory"),
    )
    subject = django_filters.ModelChoiceFilter(
        label=_("Предмет"), queryset=Subject.objects.all(), method="filter_subject"
    )
    framework = django_filters.ModelChoiceFilter(
        label=_("Рамка"), queryset=Framework.objects.all(), field_name="node__framework"
    )
    academic_year = django_filters.NumberFilter(
        label=_("Учебный год (начало)"),
        min_value=2000,
        max_value=2100,
        widget=NumberInput(attrs={"placeholder": "2025"}),
    )
    previous_year_teacher = YesNoFilter(label=_("Учитель прошлого года"))

    class Meta:
        model = TeacherDeficit
        fields: list[str] = []

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.filters["territory"].queryset = Territory.objects.visible_to(user).filter(
                kind=TerritoryKind.MUNICIPALITY
            )
            self.filters["organisation"].queryset = Organisation.objects.visible_to(user).only("id", "short_name")

    def filter_q(self, queryset: QuerySet[TeacherDeficit], name: str, value: str) -> QuerySet[TeacherDeficit]:
        for word in value.split():
            queryset = queryset.filter(
                Q(person__last_name__icontains=word)
                | Q(person__first_name__icontains=word)
                | Q(person__patronymic__icontains=word)
                | Q(node__code__icontains=word)
            )
        return queryset

    def filter_area(self, queryset: QuerySet[TeacherDeficit], name: str, value: str) -> QuerySet[TeacherDeficit]:
        return queryset.filter(node_id__in=node_ids_with_area(value))

    def filter_territory(
        self, queryset: QuerySet[TeacherDeficit], name: str, value: Territory
    ) -> QuerySet[TeacherDeficit]:
        return queryset.filter(organisation__territory=value)

    def filter_subject(self, queryset: QuerySet[TeacherDeficit], name: str, value: Subject) -> QuerySet[TeacherDeficit]:
        # The deficit's own subject (the class's), or the subject of its framework when it has none.
        return queryset.filter(Q(subject=value) | Q(subject__isnull=True, node__framework__subject=value))


class ReportFilter(DeficitFilter):
    """The report's filters: where, which subject, which year and framework (states are what it counts)."""

    REPORT_FILTERS = ("territory", "organisation", "subject", "framework", "academic_year")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.filters):
            if name not in self.REPORT_FILTERS:
                del self.filters[name]
