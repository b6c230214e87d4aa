"""Filters of the procedure list (page and API share them)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from metodist.core.filters import StyledFilterSet
from metodist.registry.models import Subject

from .choices import ProcedureKind
from .models import Procedure


class ProcedureFilter(StyledFilterSet):
    search_placeholder = _("Наименование")

    q = django_filters.CharFilter(label=_("Поиск"), field_name="title", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label=_("Вид"), choices=ProcedureKind.choices)
    subject = django_filters.ModelChoiceFilter(label=_("Предмет"), queryset=Subject.objects.order_by("sort_order"))
    grade = django_filters.NumberFilter(label=_("Класс"), min_value=1, max_value=11)
    academic_year = django_filters.NumberFilter(label=_("Учебный год (год начала)"), min_value=2000, max_value=2100)

    class Meta:
        model = Procedure
        fields: list[str] = []
