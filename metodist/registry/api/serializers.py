"""Serializers of the registry API. Field names are English; labels are the models' own (Russian).

Related objects a client writes (organisation, person, school class, territory) are looked up in the
requesting user's CHANGE scope: anything else is reported as not found, so its existence is not
revealed. Derived figures of people (age, experience, young teacher, recent courses) are annotated by
the database in :func:`metodist.registry.api.views.person_queryset`.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings

from metodist.core.api import FieldSetsSerializerMixin, ScopedPrimaryKeyRelatedField, request_user
from metodist.core.permissions import Action
from metodist.core.scoping import scope_for

from ..choices import MatchRequestSource
from ..models import (
    Award,
    CourseCompletion,
    Employment,
    Organisation,
    Person,
    PersonStatus,
    Position,
    SchoolClass,
    Subject,
    TeachingAssignment,
    Territory,
)
from ..validators import normalise_snils

_user = request_user

if TYPE_CHECKING:
    _ModelSerializerBase = serializers.ModelSerializer
else:
    _ModelSerializerBase = object


class ModelRulesMixin(_ModelSerializerBase):
    """Validate through the model itself — ``clean()``, field validators and constraints, the one home of every
    rule — on the values the object will have after the write (PATCH sends only some of them).

    ``rules_exclude`` names fields the model must not check here (e.g. the person of a first employment, who
    does not exist yet). Django's errors become the API's 400 with the same Russian messages as the pages.
    """

    rules_exclude: tuple[str, ...] = ()
    rules_check_constraints: bool = True

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        model: Any = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        concrete = {field.name for field in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in concrete:
                setattr(instance, name, value)
        exclude = set(self.rules_exclude) | {field.name for field in model._meta.many_to_many}
        try:
            instance.full_clean(exclude=exclude, validate_constraints=self.rules_check_constraints)
        except DjangoValidationError as error:
            detail = serializers.as_serializer_error(error)
            if "__all__" in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop("__all__")
            raise serializers.ValidationError(detail) from None
        return attrs


def organisation_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        model=Organisation, not_found=_("Организация не найдена или вне вашей зоны доступа."), **kwargs
    )


def person_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        model=Person, not_found=_("Педагог не найден или вне вашей зоны доступа."), **kwargs
    )


# Reference data ----------------------------------------------------------------------------------


class TerritorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Territory
        fields = ["id", "name", "kind", "parent", "oktmo"]


class PositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = ["id", "name", "group", "is_teaching"]


class SubjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subject
        fields = ["id", "name"]


# Organisations -----------------------------------------------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer):
    territory = ScopedPrimaryKeyRelatedField(
        model=Territory, not_found=_("Территория не найдена или вне вашей зоны доступа.")
    )
    territory_name = serializers.CharField(source="territory.name", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "territory",
            "territory_name",
            "kind",
            "short_name",
            "full_name",
            "inn",
            "ogrn",
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
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_territory(self, territory: Territory) -> Territory:
        if self.instance is not None and self.instance.territory_id == territory.pk:
            return territory
        # A new organisation, or one moved elsewhere, must land where the user works with whole territories:
        # a school coordinator would otherwise create organisations they can no longer see.
        scope = scope_for(_user(self), Action.CHANGE)
        if not (scope.is_global or territory.pk in scope.territory_ids):
            raise serializers.ValidationError(
                _(
                    "Создавать организации и переносить их в другую территорию может только пользователь "
                    "с правом изменения данных этой территории."
                )
            )
        return territory


# People and what belongs to them --------------------------------------------------------------------


class EmploymentSerializer(ModelRulesMixin, serializers.ModelSerializer):
    person = person_field()
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    organisation = organisation_field()
    organisation_name = serializers.CharField(source="organisation.short_name", read_only=True)
    position_name = serializers.CharField(source="position.name", read_only=True)
    grades = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=11),
        required=False,
        label=Employment._meta.get_field("grades").verbose_name,
    )
    is_active = serializers.BooleanField(read_only=True, label=_("работает сейчас"))

    class Meta:
        model = Employment
        fields = [
            "id",
            "person",
            "person_name",
            "organisation",
            "organisation_name",
            "position",
            "position_name",
            "kind",
            "subjects",
            "grades",
            "start_date",
            "end_date",
            "is_active",
            "is_manager",
            "category",
            "category_assigned_on",
            "category_expires_on",
        ]
        read_only_fields = ["category_expires_on"]
        validators: list = []  # the model's constraints are checked by ModelRulesMixin with readable messages

    def validate_person(self, person: Person) -> Person:
        if self.instance is not None and self.instance.person_id != person.pk:
            raise serializers.ValidationError(_("Место работы нельзя передать другому педагогу."))
        return person

    def validate_grades(self, value: list[int]) -> list[int]:
        return sorted(set(value))


class CurrentEmploymentSerializer(serializers.ModelSerializer):
    """A current place of work in a list row (the full record is in the person's detail)."""

    organisation_name = serializers.CharField(source="organisation.short_name", read_only=True)
    position_name = serializers.CharField(source="position.name", read_only=True)

    class Meta:
        model = Employment
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "position",
            "position_name",
            "is_manager",
            "category",
            "category_expires_on",
        ]
        read_only_fields = fields


class NewPersonEmploymentSerializer(ModelRulesMixin, serializers.ModelSerializer):
    """The first place of work of a new person (a main employment); more are added at /employments/."""

    organisation = organisation_field()
    grades = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=11),
        required=False,
        label=Employment._meta.get_field("grades").verbose_name,
    )

    class Meta:
        model = Employment
        fields = [
            "organisation",
            "position",
            "subjects",
            "grades",
            "start_date",
            "is_manager",
            "category",
            "category_assigned_on",
        ]

    rules_exclude = ("person",)  # the person is new: it exists once the request is confirmed

    def validate_grades(self, value: list[int]) -> list[int]:
        return sorted(set(value))


class CourseCompletionSerializer(ModelRulesMixin, serializers.ModelSerializer):
    person = person_field()
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = CourseCompletion
        fields = [
            "id",
            "person",
            "person_name",
            "provider",
            "programme",
            "hours",
            "start_date",
            "end_date",
            "format",
            "certificate_number",
        ]


class PersonStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonStatus
        fields = ["id", "kind", "since"]


class AwardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Award
        fields = ["id", "title", "level", "year"]


class PersonSerializer(FieldSetsSerializerMixin, ModelRulesMixin, serializers.ModelSerializer):
    """A person in a list, and what a client may change; derived figures are computed by the database."""

    full_name = serializers.CharField(read_only=True, label=_("ФИО"))
    age = serializers.IntegerField(source="age_years", read_only=True, allow_null=True, label=_("возраст, лет"))
    experience_years = serializers.IntegerField(
        source="experience_full_years", read_only=True, allow_null=True, label=_("педагогический стаж, лет")
    )
    is_young = serializers.BooleanField(source="is_young_flag", read_only=True, label=_("молодой педагог"))
    has_recent_courses = serializers.BooleanField(
        source="has_recent_courses_flag", read_only=True, label=_("курсы за последние 3 года")
    )
    current_employments = CurrentEmploymentSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "last_name",
            "first_name",
            "patronymic",
            "full_name",
            "gender",
            "birth_date",
            "snils",
            "email",
            "phone",
            "education",
            "experience_start",
            "age",
            "experience_years",
            "is_young",
            "has_recent_courses",
            "current_employments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_snils(self, value: str) -> str:
        return normalise_snils(value) if value else ""

    def validate(self, attrs: dict) -> dict:
        from ..services import holds_snils_changes

        if self.instance is not None and holds_snils_changes(_user(self)):
            # A non-administrator's new СНИЛС waits for confirmation (services.person_update): checking it against
            # the registry here would answer whether it is in use (a СНИЛС oracle).
            self.rules_check_constraints = False
        return super().validate(attrs)

    def submit_update(self):
        """Save through :func:`metodist.registry.services.person_update`; a new СНИЛС may wait for confirmation."""
        from ..services import person_update

        assert self.instance is not None
        return person_update(
            actor=_user(self), person=self.instance, values=dict(self.validated_data), source=MatchRequestSource.API
        )


class PersonCreateSerializer(PersonSerializer):
    employment = NewPersonEmploymentSerializer(
        write_only=True, label=_("место работы"), help_text=_("Основное место работы нового педагога.")
    )

    # A used СНИЛС of a new person is not an error: the service holds the person for confirmation, with the
    # same answer as for an unknown one (answering «already exists» would be a СНИЛС oracle).
    rules_check_constraints = False

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "employment"]

    def submit(self):
        """Create the person through :func:`metodist.registry.services.person_create_with_employment`, or hold
        them for confirmation; returns the service's result."""
        from ..services import person_create_with_employment

        values = dict(self.validated_data)
        employment = values.pop("employment")
        return person_create_with_employment(
            actor=_user(self), person_values=values, employment_values=employment, source=MatchRequestSource.API
        )

    def create(self, validated_data: dict):
        raise NotImplementedError("PersonViewSet.create calls submit(): a new person may wait for confirmation")


class TeachingAssignmentSerializer(ModelRulesMixin, serializers.ModelSerializer):
    person = person_field()
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    school_class = ScopedPrimaryKeyRelatedField(
        model=SchoolClass, not_found=_("Класс не найден или вне вашей зоны доступа.")
    )
    school_class_name = serializers.CharField(source="school_class.name", read_only=True, label=_("класс"))
    organisation = serializers.IntegerField(
        source="school_class.organisation_id", read_only=True, label=_("организация")
    )
    academic_year = serializers.IntegerField(
        source="school_class.academic_year", read_only=True, label=_("учебный год (год начала)")
    )
    subject_name = serializers.CharField(source="subject.name", read_only=True)

    class Meta:
        model = TeachingAssignment
        fields = [
            "id",
            "person",
            "person_name",
            "school_class",
            "school_class_name",
            "organisation",
            "academic_year",
            "subject",
            "subject_name",
            "hours_per_week",
        ]
        validators: list = []


class PersonDetailSerializer(PersonSerializer):
    """One person with everything the user may see of them."""

    employments = EmploymentSerializer(source="visible_employments", many=True, read_only=True)
    courses = CourseCompletionSerializer(source="visible_courses", many=True, read_only=True)
    statuses = PersonStatusSerializer(many=True, read_only=True)
    awards = AwardSerializer(many=True, read_only=True)
    teaching_assignments = TeachingAssignmentSerializer(source="visible_assignments", many=True, read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = [
            *(f for f in PersonSerializer.Meta.fields if f != "current_employments"),
            "employments",
            "courses",
            "statuses",
            "awards",
            "teaching_assignments",
        ]


# Classes -----------------------------------------------------------------------------------------


class SchoolClassSerializer(ModelRulesMixin, serializers.ModelSerializer):
    organisation = organisation_field()
    organisation_name = serializers.CharField(source="organisation.short_name", read_only=True)
    name = serializers.CharField(read_only=True, label=_("класс"))

    class Meta:
        model = SchoolClass
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "academic_year",
            "grade",
            "letter",
            "name",
            "students_count",
        ]
        validators: list = []


__all__ = [
    "CourseCompletionSerializer",
    "EmploymentSerializer",
    "OrganisationSerializer",
    "PersonCreateSerializer",
    "PersonDetailSerializer",
    "PersonSerializer",
    "PositionSerializer",
    "SchoolClassSerializer",
    "SubjectSerializer",
    "TeachingAssignmentSerializer",
    "TerritorySerializer",
]
