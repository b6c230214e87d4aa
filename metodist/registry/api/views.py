"""Endpoints of the registry API.

Every queryset comes from ``Model.objects.visible_to(request.user, action)``: VIEW for reads, CHANGE for
writes, so an object outside the user's scope answers 404 whatever the method. Users whose roles never
allow changes get 403 on any write. Writes run inside :func:`metodist.core.audit.acting_as` so that
django-auditlog records the API user (token authentication happens after the auditlog middleware);
reading one person's card is logged with :func:`metodist.core.audit.record_view`.
"""

from __future__ import annotations

import datetime

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from metodist.core.api import ReadCreateViewSet, ReadViewSet, ReadWriteViewSet
from metodist.core.audit import acting_as, record_view
from metodist.core.filters import YesNoFilter

from .. import filters as registry_filters
from ..choices import QualificationCategory, TerritoryKind
from ..models import (
    CourseCompletion,
    Employment,
    Organisation,
    Person,
    Position,
    SchoolClass,
    Subject,
    TeachingAssignment,
    Territory,
)
from ..querysets import active_on
from . import serializers

# The base classes (scoped viewsets, pagination, the change permission) live in metodist.core.api.


# Derived figures of people, computed by the database ---------------------------------------------------


def with_derived_figures(queryset, today: datetime.date | None = None):
    """Annotate age, experience, young teacher and recent courses (``PersonQuerySet.with_derived_figures``)."""
    return queryset.with_derived_figures(today)


# Filters -----------------------------------------------------------------------------------------


class PersonFilter(registry_filters.PersonFilter):
    """The registry page's filters, with choices of territories and organisations in the user's scope."""

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, user=getattr(request, "user", None), **kwargs)

    # The schema takes the filters' type from their methods: ids of the chosen objects.
    @extend_schema_field(OpenApiTypes.INT)
    def filter_territory(self, queryset, name, value):
        return super().filter_territory(queryset, name, value)

    @extend_schema_field(OpenApiTypes.INT)
    def filter_organisation(self, queryset, name, value):
        return super().filter_organisation(queryset, name, value)

    @extend_schema_field(OpenApiTypes.INT)
    def filter_position(self, queryset, name, value):
        return super().filter_position(queryset, name, value)

    @extend_schema_field(OpenApiTypes.INT)
    def filter_subject(self, queryset, name, value):
        return super().filter_subject(queryset, name, value)


class OrganisationFilter(registry_filters.OrganisationFilter):
    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, user=getattr(request, "user", None), **kwargs)


class TerritoryFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=TerritoryKind.choices)
    parent = django_filters.NumberFilter(label=_("входит в"))

    class Meta:
        model = Territory
        fields: list[str] = []


class EmploymentFilter(django_filters.FilterSet):
    person = django_filters.NumberFilter(label=_("педагог"))
    organisation = django_filters.NumberFilter(label=_("организация"))
    territory = django_filters.NumberFilter(field_name="organisation__territory", label=_("муниципалитет"))
    position = django_filters.NumberFilter(label=_("должность"))
    category = django_filters.ChoiceFilter(choices=QualificationCategory.choices)
    active = YesNoFilter(method="filter_active", label=_("работает сейчас"))

    class Meta:
        model = Employment
        fields: list[str] = []

    def filter_active(self, queryset, name: str, value: bool):
        return queryset.filter(active_on()) if value else queryset.exclude(active_on())


class CourseCompletionFilter(django_filters.FilterSet):
    person = django_filters.NumberFilter(label=_("педагог"))
    end_date_from = django_filters.DateFilter(field_name="end_date", lookup_expr="gte", label=_("окончание с"))
    end_date_to = django_filters.DateFilter(field_name="end_date", lookup_expr="lte", label=_("окончание по"))

    class Meta:
        model = CourseCompletion
        fields: list[str] = []


class SchoolClassFilter(django_filters.FilterSet):
    organisation = django_filters.NumberFilter(label=_("организация"))
    academic_year = django_filters.NumberFilter(label=_("учебный год (год начала)"))
    grade = django_filters.NumberFilter(label=_("параллель"))

    class Meta:
        model = SchoolClass
        fields: list[str] = []


class TeachingAssignmentFilter(django_filters.FilterSet):
    person = django_filters.NumberFilter(label=_("педагог"))
    school_class = django_filters.NumberFilter(label=_("класс"))
    organisation = django_filters.NumberFilter(field_name="school_class__organisation", label=_("организация"))
    academic_year = django_filters.NumberFilter(
        field_name="school_class__academic_year", label=_("учебный год (год начала)")
    )
    subject = django_filters.NumberFilter(label=_("предмет"))

    class Meta:
        model = TeachingAssignment
        fields: list[str] = []


# Endpoints ---------------------------------------------------------------------------------------


@extend_schema(tags=["territories"])
@extend_schema_view(
    list=extend_schema(summary="Territories in the user's scope"),
    retrieve=extend_schema(summary="A territory"),
)
class TerritoryViewSet(ReadViewSet):
    model = Territory
    serializer_class = serializers.TerritorySerializer
    filterset_class = TerritoryFilter


@extend_schema(tags=["reference data"])
@extend_schema_view(
    list=extend_schema(summary="Positions (reference data, nomenclature № 225)"),
    retrieve=extend_schema(summary="A position"),
)
class PositionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reference data: not personal, the same for every user."""

    queryset = Position.objects.all()
    serializer_class = serializers.PositionSerializer
    pagination_class = None
    filter_backends: list = []


@extend_schema(tags=["reference data"])
@extend_schema_view(
    list=extend_schema(summary="Subjects (reference data)"),
    retrieve=extend_schema(summary="A subject"),
)
class SubjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Subject.objects.all()
    serializer_class = serializers.SubjectSerializer
    pagination_class = None
    filter_backends: list = []


@extend_schema(tags=["organisations"])
@extend_schema_view(
    list=extend_schema(summary="Organisations in the user's scope"),
    retrieve=extend_schema(summary="An organisation"),
    create=extend_schema(summary="Add an organisation (territory-level change right)"),
    update=extend_schema(summary="Change an organisation"),
    partial_update=extend_schema(summary="Change some fields of an organisation"),
)
class OrganisationViewSet(ReadWriteViewSet):
    model = Organisation
    serializer_class = serializers.OrganisationSerializer
    filterset_class = OrganisationFilter

    def decorate(self, queryset):
        return queryset.select_related("territory")


@extend_schema(tags=["people"])
@extend_schema_view(
    list=extend_schema(summary="Pedagogical workers in the user's scope"),
    retrieve=extend_schema(summary="A pedagogical worker with employments, courses, statuses and awards"),
    create=extend_schema(summary="Add a pedagogical worker with their main place of work"),
    update=extend_schema(summary="Change a pedagogical worker"),
    partial_update=extend_schema(summary="Change some fields of a pedagogical worker"),
)
class PersonViewSet(ReadWriteViewSet):
    model = Person
    filterset_class = PersonFilter

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.PersonDetailSerializer
        if self.action == "create":
            return serializers.PersonCreateSerializer  # takes the first place of work too
        return serializers.PersonSerializer

    def decorate(self, queryset):
        user = self.request.user
        queryset = with_derived_figures(queryset)
        if self.action != "retrieve":
            current = (
                Employment.objects.visible_to(user)
                .filter(active_on())
                .select_related("organisation", "position")
                .order_by("-kind", "organisation__short_name")
            )
            return queryset.prefetch_related(Prefetch("employments", queryset=current, to_attr="current_employments"))
        employments = (
            Employment.objects.visible_to(user)
            .select_related("organisation", "position")
            .prefetch_related("subjects")
            .order_by("end_date", "-kind", "organisation__short_name")
        )
        courses = CourseCompletion.objects.visible_to(user).order_by("-end_date")
        assignments = (
            TeachingAssignment.objects.visible_to(user)
            .select_related("school_class", "subject")
            .order_by("-school_class__academic_year", "school_class__grade", "school_class__letter")
        )
        return queryset.prefetch_related(
            Prefetch("employments", queryset=employments, to_attr="visible_employments"),
            Prefetch("courses", queryset=courses, to_attr="visible_courses"),
            Prefetch("teaching_assignments", queryset=assignments, to_attr="visible_assignments"),
            "statuses",
            "awards",
        )

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        record_view(request, person)
        return Response(self.get_serializer(person).data)

    @extend_schema(
        responses={200: serializers.PersonSerializer, 202: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
        description=(
            "Changes are saved at once (200), except a non-administrator's new СНИЛС: the other fields are saved and "
            "the СНИЛС waits for a methodologist's confirmation (202, the same answer whether or not the СНИЛС is "
            "used outside the user's scope)."
        ),
    )
    def update(self, request, *args, **kwargs):
        from ..services import SNILS_CHANGE_SUBMITTED

        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            with acting_as(request), transaction.atomic():
                result = serializer.submit_update()
        except DjangoValidationError as error:
            raise ValidationError(drf_serializers.as_serializer_error(error)) from None
        if result.is_pending:
            body = {
                "detail": str(SNILS_CHANGE_SUBMITTED),
                "request": result.request.pk,
                "state": result.request.state,
            }
            return Response(body, status=202)
        return Response(self.get_serializer(self.saved(result.person)).data)

    @extend_schema(
        responses={
            201: serializers.PersonDetailSerializer,
            202: OpenApiTypes.OBJECT,
            400: OpenApiTypes.OBJECT,
        },
        description=(
            "An administrator's person is created at once (201). Anyone else's waits for a methodologist's "
            "confirmation (202, the same answer whether or not the person exists outside the user's scope)."
        ),
    )
    def create(self, request, *args, **kwargs):
        from ..services import SUBMITTED_FOR_CONFIRMATION, PersonAlreadyInScope, PersonMatchConflict

        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            with acting_as(request), transaction.atomic():
                result = serializer.submit()
        except PersonMatchConflict as conflict:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: conflict.messages}
            if isinstance(conflict, PersonAlreadyInScope):
                detail["person"] = [conflict.person.pk]
            raise ValidationError(detail) from None
        except DjangoValidationError as error:
            raise ValidationError(drf_serializers.as_serializer_error(error)) from None
        if result.is_pending:
            name = f"{result.request.last_name} {result.request.first_name}".strip()
            body = {
                "detail": str(SUBMITTED_FOR_CONFIRMATION % {"name": name}),
                "request": result.request.pk,
                "state": result.request.state,
            }
            return Response(body, status=202)
        data = self.get_serializer(self.saved(result.person)).data
        return Response(data, status=201, headers=self.get_success_headers(data))


@extend_schema(tags=["employments"])
@extend_schema_view(
    list=extend_schema(summary="Places of work (employments) in the user's scope"),
    retrieve=extend_schema(summary="A place of work"),
    create=extend_schema(summary="Add a place of work"),
    update=extend_schema(summary="Change a place of work"),
    partial_update=extend_schema(summary="Change some fields of a place of work"),
)
class EmploymentViewSet(ReadWriteViewSet):
    model = Employment
    serializer_class = serializers.EmploymentSerializer
    filterset_class = EmploymentFilter

    def decorate(self, queryset):
        return queryset.select_related("person", "organisation", "position").prefetch_related("subjects")


@extend_schema(tags=["courses"])
@extend_schema_view(
    list=extend_schema(summary="Completed further-training courses in the user's scope"),
    retrieve=extend_schema(summary="A completed course"),
    create=extend_schema(summary="Add a completed course"),
    update=extend_schema(summary="Change a completed course"),
    partial_update=extend_schema(summary="Change some fields of a completed course"),
)
class CourseCompletionViewSet(ReadWriteViewSet):
    model = CourseCompletion
    serializer_class = serializers.CourseCompletionSerializer
    filterset_class = CourseCompletionFilter

    def decorate(self, queryset):
        return queryset.select_related("person")


@extend_schema(tags=["school classes"])
@extend_schema_view(
    list=extend_schema(summary="School classes in the user's scope"),
    retrieve=extend_schema(summary="A school class"),
    create=extend_schema(summary="Add a school class"),
)
class SchoolClassViewSet(ReadCreateViewSet):
    model = SchoolClass
    serializer_class = serializers.SchoolClassSerializer
    filterset_class = SchoolClassFilter

    def decorate(self, queryset):
        return queryset.select_related("organisation")


@extend_schema(tags=["teaching assignments"])
@extend_schema_view(
    list=extend_schema(summary="Teaching assignments (who teaches what in which class) in the user's scope"),
    retrieve=extend_schema(summary="A teaching assignment"),
    create=extend_schema(summary="Add a teaching assignment"),
)
class TeachingAssignmentViewSet(ReadCreateViewSet):
    model = TeachingAssignment
    serializer_class = serializers.TeachingAssignmentSerializer
    filterset_class = TeachingAssignmentFilter

    def decorate(self, queryset):
        return queryset.select_related("person", "school_class", "subject")
