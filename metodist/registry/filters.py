"""Filters of the registry lists (the same filters serve the pages, exports and API)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from metodist.core.filters import StyledFilterSet, YesNoFilter
from metodist.core.scoping import scoped_exists
from metodist.core.widgets import AutocompleteSelect

from .choices import InnovationSite, OrganisationKind, QualificationCategory, TerritoryKind
from .models import Employment, Organisation, Person, Position, Subject, Territory
from .querysets import active_on


class PersonFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Поиск"), method="filter_q")
    territory = django_filters.ModelChoiceFilter(
        label=_("Муниципалитет"), queryset=Territory.objects.none(), method="filter_territory"
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Организация"),
        queryset=Organisation.objects.none(),
        method="filter_organisation",
        # A region's 1 000 organisations: searched as the user types, not listed in every page.
        widget=AutocompleteSelect(reverse_lazy("registry:organisation_autocomplete"), follow="territory"),
    )
    position = django_filters.ModelChoiceFilter(
        label=_("Должность"), queryset=Position.objects.all(), method="filter_position"
    )
    subject = django_filters.ModelChoiceFilter(
        label=_("Предмет"), queryset=Subject.objects.all(), method="filter_subject"
    )
    category = django_filters.ChoiceFilter(
        label=_("Категория"), choices=QualificationCategory.choices, method="filter_category"
    )
    young = YesNoFilter(label=_("Молодой педагог"), method="filter_young")
    recent_courses = YesNoFilter(label=_("Курсы за 3 года"), method="filter_recent_courses")
    category_expiring = YesNoFilter(label=_("Категория истекает за год"), method="filter_category_expiring")
    is_manager = YesNoFilter(label=_("Руководитель"), method="filter_manager")

    class Meta:
        model = Person
        fields: list[str] = []

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None:
            self.filters["territory"].queryset = Territory.objects.visible_to(user).filter(
                kind=TerritoryKind.MUNICIPALITY
            )
            self.filters["organisation"].queryset = Organisation.objects.visible_to(user).only("id", "short_name")

    def filter_q(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(patronymic__icontains=word)
                | Q(email__icontains=word)
            )
        return queryset

    # The employment filters combine into one condition on one current, visible employment, so that
    # «организация А и должность X» means X in A, and nothing is learnt from employments out of scope.
    EMPLOYMENT_FILTERS = {
        "territory": "organisation__territory",
        "organisation": "organisation",
        "position": "position",
        "subject": "subjects",
        "category": "category",
    }

    def filter_queryset(self, queryset):
        employment = Q()
        for name, lookup in self.EMPLOYMENT_FILTERS.items():
            value = self.form.cleaned_data.get(name)
            if value not in (None, ""):
                employment &= Q(**{lookup: value})
        if employment:
            queryset = queryset.filter(self._visible_employment(Employment.objects.filter(employment)))
        return super().filter_queryset(queryset)

    def _visible_employment(self, employments):
        """A current employment of the row's person matching ``employments`` *and visible to the user*."""
        return scoped_exists(self.user, employments.filter(active_on()), person="pk")

    def _combined(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    filter_territory = filter_organisation = filter_position = filter_subject = filter_category = _combined

    def filter_category_expiring(self, queryset, name, value):
        condition = self._visible_employment(Employment.objects.category_expiring())
        return queryset.filter(condition if value else ~condition)

    def filter_manager(self, queryset, name, value):
        condition = self._visible_employment(Employment.objects.filter(is_manager=True))
        return queryset.filter(condition if value else ~condition)

    def filter_young(self, queryset, name, value):
        return queryset.young() if value else queryset.not_young()

    def filter_recent_courses(self, queryset, name, value):
        from django.utils import timezone

        from .querysets import recent_courses_of

        # The same definition as PersonQuerySet.with_derived_figures() (has_recent_courses_flag).
        recent = recent_courses_of(OuterRef("pk"), timezone.localdate())
        return queryset.filter(Exists(recent) if value else ~Exists(recent))


class OrganisationFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Поиск"), method="filter_q")
    territory = django_filters.ModelChoiceFilter(label=_("Муниципалитет"), queryset=Territory.objects.none())
    kind = django_filters.ChoiceFilter(label=_("Тип"), choices=OrganisationKind.choices)
    low_results = YesNoFilter(label=_("ШНОР"))
    unfavourable_conditions = YesNoFilter(label=_("Неблагоприятные условия"))
    innovation_site = django_filters.ChoiceFilter(
        label=_("Инновационная площадка"), choices=[c for c in InnovationSite.choices if c[0]]
    )
    growth_point = YesNoFilter(label=_("«Точка роста»"))
    internship_site = YesNoFilter(label=_("Стажировочная площадка"))

    class Meta:
        model = Organisation
        fields: list[str] = []

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.filters["territory"].queryset = Territory.objects.visible_to(user).filter(
                kind=TerritoryKind.MUNICIPALITY
            )

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(short_name__icontains=value) | Q(full_name__icontains=value) | Q(inn=value) | Q(address__icontains=value)
        )
