"""Forms of the registry. Choices of organisations and people are limited to the user's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from metodist.core.forms import StyledFormMixin  # shared with every app
from metodist.core.permissions import Action
from metodist.core.scoping import scope_for

from .choices import TerritoryKind
from .grades import parse_grades  # one tolerant reading of «5-9, 11» for forms and imports
from .models import (
    Award,
    CourseCompletion,
    Employment,
    Organisation,
    Person,
    PersonStatus,
    SchoolClass,
    TeachingAssignment,
    Territory,
)
from .validators import normalise_snils

if TYPE_CHECKING:
    _ModelFormBase = forms.ModelForm
else:
    _ModelFormBase = object

GRADES_ERROR = _("Укажите параллели числами от 1 до 11 через запятую или диапазоном, например «5-9, 11».")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GradesField(forms.CharField):
    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return parse_grades(value or None) or []
        except ValueError as error:
            raise forms.ValidationError(GRADES_ERROR, code="invalid_grades") from error


class BoundInstanceMixin(_ModelFormBase):
    """A model form whose instance already holds what the page fixes (the person, the organisation, the class).

    Django leaves fields that are not on the form out of model validation; naming them in ``bind()`` keeps
    them in, so the model's own ``clean()`` and constraints — the one home of every rule — see the whole row.
    """

    def bind(self, **values) -> None:
        self._bound_names = set(getattr(self, "_bound_names", set()))
        for name, value in values.items():
            if value is not None:
                setattr(self.instance, name, value)
                self._bound_names.add(name)

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() - getattr(self, "_bound_names", set())  # type: ignore[misc]


class OrganisationForm(StyledFormMixin, forms.ModelForm):
    website = forms.URLField(label=_("сайт"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "territory",
            "kind",
            "short_name",
            "full_name",
            "inn",
            "ogrn",
            "fis_oko_login",
            "address",
            "phone",
            "email",
            "website",
            "low_results",
            "unfavourable_conditions",
            "innovation_site",
            "growth_point",
            "internship_site",
            "is_active",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only territory-level users (methodologists) and administrators place organisations.
        scope = scope_for(user, Action.CHANGE)
        territories = Territory.objects.filter(kind=TerritoryKind.MUNICIPALITY)
        if not scope.is_global:
            territories = territories.filter(id__in=scope.territory_ids)
        if self.instance.pk:
            territories = territories | Territory.objects.filter(pk=self.instance.territory_id)
        self.fields["territory"].queryset = territories.distinct()
        if self.instance.pk and not territories.filter(pk=self.instance.territory_id).exists():
            self.fields["territory"].disabled = True


class PersonForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "last_name",
            "first_name",
            "patronymic",
            "gender",
            "birth_date",
            "snils",
            "email",
            "phone",
            "education",
            "experience_start",
        ]
        widgets = {"birth_date": DATE_INPUT, "experience_start": DATE_INPUT}

    def __init__(self, *args, hold_snils: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # A non-administrator's СНИЛС change waits for confirmation (services.person_update): not checked here.
        self.hold_snils = hold_snils

    def clean_snils(self):
        value = self.cleaned_data.get("snils", "")
        return normalise_snils(value) if value else ""

    def changed_values(self) -> dict:
        """The cleaned values of the model's fields, for ``services.person_update``."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()  # type: ignore[misc]
        if self.instance._state.adding or self.hold_snils:
            # A used СНИЛС is not an error here: the service holds the new person or the change for
            # confirmation (answering «already exists» would tell anyone whether a СНИЛС is in the registry).
            exclude.add("snils")
        return exclude


class EmploymentForm(BoundInstanceMixin, StyledFormMixin, forms.ModelForm):
    grades = GradesField(label=_("Классы (параллели)"), required=False, help_text=_("Например: 5-9, 11"))

    class Meta:
        model = Employment
        fields = [
            "organisation",
            "position",
            "kind",
            "subjects",
            "grades",
            "start_date",
            "end_date",
            "is_manager",
            "category",
            "category_assigned_on",
        ]
        widgets = {
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
            "category_assigned_on": DATE_INPUT,
            "subjects": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, user, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user, Action.CHANGE)
        self.bind(person=person)

    def employment_values(self) -> dict:
        """The cleaned values as :func:`metodist.registry.services.person_create_with_employment` takes them."""
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class CourseCompletionForm(BoundInstanceMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CourseCompletion
        fields = ["provider", "programme", "hours", "start_date", "end_date", "format", "certificate_number"]
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT}

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.bind(person=person)


class AwardForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Award
        fields = ["title", "level", "year"]


class PersonStatusForm(BoundInstanceMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PersonStatus
        fields = ["kind", "since"]
        widgets = {"since": DATE_INPUT}

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.bind(person=person)


class SchoolClassForm(BoundInstanceMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = SchoolClass
        fields = ["academic_year", "grade", "letter", "students_count"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.bind(organisation=organisation)


class TeachingAssignmentForm(BoundInstanceMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = TeachingAssignment
        fields = ["person", "subject", "hours_per_week"]

    def __init__(self, *args, school_class, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_class = school_class
        self.fields["person"].queryset = (
            Person.objects.visible_to(user, Action.CHANGE)
            .working_in([school_class.organisation_id])
            .order_by("last_name", "first_name")
        )
        self.bind(school_class=school_class)
