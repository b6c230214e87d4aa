"""Filters of the diagnostics lists: one filter set serves the page and the API (invalid → error, not all)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from metodist.core.filters import StyledFilterSet

from .choices import CampaignState, ObservationState
from .models import Campaign, Observation


class CampaignFilter(StyledFilterSet):
    search_placeholder = _("Наименование")

    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Поиск"))
    state = django_filters.ChoiceFilter(choices=CampaignState.choices, label=_("Состояние"))
    academic_year = django_filters.NumberFilter(
        label=_("Учебный год (год начала)"), widget=forms.NumberInput(attrs={"placeholder": "2025"})
    )

    class Meta:
        model = Campaign
        fields = ["q", "state", "academic_year"]


class ObservationFilter(StyledFilterSet):
    search_placeholder = _("Фамилия педагога")

    q = django_filters.CharFilter(field_name="person__last_name", lookup_expr="icontains", label=_("Педагог"))
    state = django_filters.ChoiceFilter(choices=ObservationState.choices, label=_("Состояние"))
    campaign = django_filters.NumberFilter(
        field_name="campaign_id", label=_("Кампания (номер)"), widget=forms.NumberInput(attrs={"placeholder": "№"})
    )
    lesson_date_from = django_filters.DateFilter(
        field_name="lesson_date",
        lookup_expr="gte",
        label=_("Уроки с"),
        widget=forms.DateInput(attrs={"type": "date", "placeholder": ""}, format="%Y-%m-%d"),
    )

    class Meta:
        model = Observation
        fields = ["q", "state", "campaign", "lesson_date_from"]
