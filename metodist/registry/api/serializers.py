"""Serializers of the registry API. Field names are English; labels are the models' own (Russian).

Related objects a client writes (organisation, person, school class, territory) are looked up in the
requesting user's CHANGE scope: anything else is reported as not found, so its existence is not
revealed. Derived figures of people (age, experience, young teacher, recent courses) are annotated by
the database in :func:`metodist.registry.api.views.person_queryset`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from metodist.accounts.choices import Action
from metodist.core.scoping import scope_for

from ..choices import EmploymentKind, QualificationCategory
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


def _user(serializer: serializers.Field):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object looked up in ``Model.objects.visible_to(request.user, action)``."""

    def __init__(self, *, model, not_found: str, action: str = Action.CHANGE, **kwargs):
        self.scoped_model = model
        self.action = action
        kwargs.setdefault("queryset", model.objects.none())  # the model, for the schema; rows come from below
        kwargs["error_messages"] = {"does_not_exist": not_found, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scoped_model.objects.visible_to(_user(self), self.action)


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


class EmploymentSerializer(serializers.ModelSerializer):
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
        validators: list = []  # the constraints are checked in validate() with readable messages

    def validate_person(self, person: Person) -> Person:
        if self.instance is not None and self.instance.person_id != person.pk:
            raise serializers.ValidationError(_("Место работы нельзя передать другому педагогу."))
        return person

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        data = _merged(self.instance, attrs, ["person", "organisation", "position", "start_date", "end_date"])
        data.update(_merged(self.instance, attrs, ["category", "category_assigned_on"]))
        _check_employment(data, exclude_pk=getattr(self.instance, "pk", None))
        return attrs

    def validate_grades(self, value: list[int]) -> list[int]:
        return sorted(set(value))


def _merged(instance, attrs: dict, names: list[str]) -> dict:
    """Values after the write: the new ones, else the instance's (PATCH sends only some fields)."""
    return {name: attrs[name] if name in attrs else getattr(instance, name, None) for name in names}


def _check_employment(data: dict, exclude_pk: int | None = None) -> None:
    errors = {}
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        errors["end_date"] = _("Дата увольнения раньше даты приёма.")
    category = data.get("category") or QualificationCategory.NONE
    if category != QualificationCategory.NONE and not data.get("category_assigned_on"):
        errors["category_assigned_on"] = _("Укажите дату присвоения категории.")
    person, organisation, position = data.get("person"), data.get("organisation"), data.get("position")
    if person is not None and organisation is not None and position is not None and end is None:
        duplicate = Employment.objects.filter(
            person=person, organisation=organisation, position=position, end_date__isnull=True
        ).exclude(pk=exclude_pk)
        if duplicate.exists():
            errors["position"] = _("Педагог уже работает в этой организации в этой должности.")
    if errors:
        raise serializers.ValidationError(errors)


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


class NewPersonEmploymentSerializer(serializers.ModelSerializer):
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

    def validate_grades(self, value: list[int]) -> list[int]:
        return sorted(set(value))

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        _check_employment(attrs)
        return attrs


class CourseCompletionSerializer(serializers.ModelSerializer):
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

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        data = _merged(self.instance, attrs, ["start_date", "end_date"])
        if data["start_date"] and data["end_date"] and data["end_date"] < data["start_date"]:
            raise serializers.ValidationError({"end_date": _("Окончание курсов раньше их начала.")})
        return attrs


class PersonStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonStatus
        fields = ["id", "kind", "since"]


class AwardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Award
        fields = ["id", "title", "level", "year"]


class PersonSerializer(serializers.ModelSerializer):
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
        value = normalise_snils(value) if value else ""
        if value and Person.objects.filter(snils=value).exclude(pk=getattr(self.instance, "pk", None)).exists():
            raise serializers.ValidationError(_("Педагог с таким СНИЛС уже есть в базе."))
        return value


class PersonCreateSerializer(PersonSerializer):
    employment = NewPersonEmploymentSerializer(
        write_only=True, label=_("место работы"), help_text=_("Основное место работы нового педагога.")
    )

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "employment"]

    def create(self, validated_data: dict) -> Person:
        employment = validated_data.pop("employment")
        subjects = employment.pop("subjects", [])
        person = Person.objects.create(**validated_data)
        created = Employment.objects.create(person=person, kind=EmploymentKind.MAIN, **employment)
        created.subjects.set(subjects)
        return person


class TeachingAssignmentSerializer(serializers.ModelSerializer):
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

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        person, school_class = attrs["person"], attrs["school_class"]
        if not Person.objects.filter(pk=person.pk).working_in([school_class.organisation_id]).exists():
            raise serializers.ValidationError({"person": _("Педагог не работает в организации этого класса.")})
        duplicate = TeachingAssignment.objects.filter(
            school_class=school_class, person=person, subject=attrs["subject"]
        )
        if duplicate.exists():
            raise serializers.ValidationError(_("Этот педагог уже ведёт этот предмет в этом классе."))
        return attrs


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


class SchoolClassSerializer(serializers.ModelSerializer):
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

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        duplicate = SchoolClass.objects.filter(
            organisation=attrs["organisation"],
            academic_year=attrs["academic_year"],
            grade=attrs["grade"],
            letter=attrs.get("letter", ""),
        )
        if duplicate.exists():
            raise serializers.ValidationError(_("Такой класс в этом учебном году уже есть."))
        return attrs


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
