"""Querysets of the registry: scoping (see metodist.core.scoping) and derived figures."""

from __future__ import annotations

import datetime

from django.db import connection, models
from django.db.models import BooleanField, Case, Exists, ExpressionWrapper, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import ExtractYear
from django.utils import timezone

from metodist.core.scoping import ScopedQuerySet, UserScope, any_of, placed_q

from .choices import RECENT_COURSES_YEARS, YOUNG_TEACHER_MAX_AGE, YOUNG_TEACHER_MAX_EXPERIENCE_YEARS


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` years earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def active_on(today: datetime.date | None = None) -> Q:
    """Employments that have not ended by ``today``."""
    today = today or timezone.localdate()
    return Q(end_date__isnull=True) | Q(end_date__gte=today)


def full_years_since(field: str, today: datetime.date):
    """Full years from the date in ``field`` to ``today``, in SQL (as ``models.full_years_between``)."""
    not_yet_this_year = Q(**{f"{field}__month__gt": today.month}) | Q(
        **{f"{field}__month": today.month, f"{field}__day__gt": today.day}
    )
    return ExpressionWrapper(
        Value(today.year) - ExtractYear(field) - Case(When(not_yet_this_year, then=Value(1)), default=Value(0)),
        output_field=IntegerField(),
    )


def young_q(today: datetime.date) -> Q:
    """Молодой педагог: under 35 and in the first 3 years of pedagogical experience (both dates known)."""
    return Q(
        birth_date__gt=years_before(today, YOUNG_TEACHER_MAX_AGE),
        experience_start__gt=years_before(today, YOUNG_TEACHER_MAX_EXPERIENCE_YEARS),
    )


def recent_courses_of(person_ref, today: datetime.date):
    """Completed courses of ``person_ref`` that ended within the last 3 years (курсы за 3 года)."""
    from .models import CourseCompletion

    return CourseCompletion.objects.filter(
        person=person_ref, end_date__gt=years_before(today, RECENT_COURSES_YEARS), end_date__lte=today
    )


# Tables that migration 0007 gave the version trigger (metodist.core.counts); registered in apps.ready().
VERSIONED_TABLES = [
    "registry_territory",
    "registry_organisation",
    "registry_position",
    "registry_subject",
    "registry_person",
    "registry_employment",
    "registry_employment_subjects",
    "registry_personstatus",
    "registry_award",
    "registry_coursecompletion",
    "registry_schoolclass",
    "registry_teachingassignment",
    "registry_personmatchrequest",
]


def territory_descendants(territory_ids: set[int]) -> set[int]:
    """The ids of every territory below ``territory_ids`` (a region's municipalities …), for core's scopes:
    one recursive query (every request of a territorial user asks it)."""
    from .models import Territory

    if not territory_ids:
        return set()
    table = connection.ops.quote_name(Territory._meta.db_table)
    placeholders = ", ".join(["%s"] * len(territory_ids))
    sql = (
        f"WITH RECURSIVE below(id) AS ("
        f"SELECT id FROM {table} WHERE parent_id IN ({placeholders}) "
        f"UNION SELECT t.id FROM {table} t JOIN below b ON t.parent_id = b.id"
        f") SELECT id FROM below"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, sorted(territory_ids))
        found = {row[0] for row in cursor.fetchall()}
    return found - set(territory_ids)


class TerritoryQuerySet(ScopedQuerySet):
    def scope_q(self, scope: UserScope) -> Q:
        from .models import Employment, Organisation

        return any_of(
            (scope.territory_ids, Q(id__in=scope.territory_ids)),
            (
                scope.organisation_ids,
                Q(Exists(Organisation.objects.filter(territory=OuterRef("pk"), id__in=scope.organisation_ids))),
            ),
            (
                scope.person_ids,
                Q(
                    Exists(
                        Employment.objects.filter(active_on()).filter(
                            organisation__territory=OuterRef("pk"), person_id__in=scope.person_ids
                        )
                    )
                ),
            ),
        )


class OrganisationQuerySet(ScopedQuerySet):
    def scope_q(self, scope: UserScope) -> Q:
        from .models import Employment

        return any_of(
            (scope.territory_ids, Q(territory_id__in=scope.territory_ids)),
            (scope.organisation_ids, Q(id__in=scope.organisation_ids)),
            (
                scope.person_ids,
                Q(
                    Exists(
                        Employment.objects.filter(active_on()).filter(
                            organisation=OuterRef("pk"), person_id__in=scope.person_ids
                        )
                    )
                ),
            ),
        )


class PersonQuerySet(ScopedQuerySet):
    def scope_q(self, scope: UserScope) -> Q:
        from .models import Employment

        current = Employment.objects.filter(active_on()).filter(person=OuterRef("pk"))
        return any_of(
            (
                scope.territory_ids,
                Q(Exists(current.filter(organisation__territory_id__in=scope.territory_ids))),
            ),
            (scope.organisation_ids, Q(Exists(current.filter(organisation_id__in=scope.organisation_ids)))),
            (scope.person_ids, Q(id__in=scope.person_ids)),
        )

    def young(self, today: datetime.date | None = None):
        """Молодые педагоги: under 35 and in the first 3 years of pedagogical experience."""
        return self.filter(young_q(today or timezone.localdate()))

    def not_young(self, today: datetime.date | None = None):
        return self.exclude(pk__in=self.model.objects.young(today).values("pk"))

    def with_recent_courses(self, today: datetime.date | None = None):
        """Annotate ``has_recent_courses_flag``: a course finished within the last 3 years."""
        return self.annotate(
            has_recent_courses_flag=Exists(recent_courses_of(OuterRef("pk"), today or timezone.localdate()))
        )

    def with_derived_figures(self, today: datetime.date | None = None, *, recent_courses: bool = True):
        """The derived figures of every person, computed by the database — the one definition that the
        pages, the filters, the exports and the API use:

        ``age_years`` (full years, None without a birth date), ``experience_full_years`` (full years of
        педагогический стаж, 0 if it starts in the future, None if unknown), ``is_young_flag`` (молодой
        педагог) and, unless ``recent_courses`` is False, ``has_recent_courses_flag`` (курсы за 3 года —
        a subquery over the courses, so a list adds it for the rows of its page only).
        """
        today = today or timezone.localdate()
        queryset = self.annotate(
            age_years=Case(
                When(birth_date__isnull=True, then=Value(None)),
                default=full_years_since("birth_date", today),
                output_field=IntegerField(),
            ),
            experience_full_years=Case(
                When(experience_start__isnull=True, then=Value(None)),
                When(experience_start__gt=today, then=Value(0)),
                default=full_years_since("experience_start", today),
                output_field=IntegerField(),
            ),
            is_young_flag=Case(
                When(young_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        )
        if recent_courses and "has_recent_courses_flag" not in queryset.query.annotations:
            queryset = queryset.with_recent_courses(today)
        return queryset

    def working_in(self, organisation_ids):
        from .models import Employment

        return self.filter(
            Exists(
                Employment.objects.filter(active_on()).filter(
                    person=OuterRef("pk"), organisation_id__in=organisation_ids
                )
            )
        )


class EmploymentQuerySet(ScopedQuerySet):
    def scope_q(self, scope: UserScope) -> Q:
        return placed_q(scope)

    def active(self, today: datetime.date | None = None):
        return self.filter(active_on(today))

    def category_expiring(self, today: datetime.date | None = None, within_days: int = 365):
        today = today or timezone.localdate()
        return self.filter(
            category_expires_on__isnull=False,
            category_expires_on__gte=today,
            category_expires_on__lte=today + datetime.timedelta(days=within_days),
        )


class PersonOwnedQuerySet(ScopedQuerySet):
    """Rows that belong to one person (courses, awards, statuses): visible when the person is."""

    def scope_q(self, scope: UserScope) -> Q:
        from .models import Person

        return Q(person__in=Person.objects.filter(Person.objects.all().scope_q(scope)).values("pk"))


class SchoolClassQuerySet(ScopedQuerySet):
    def scope_q(self, scope: UserScope) -> Q:
        from .models import TeachingAssignment

        return any_of(
            (scope.territory_ids, Q(organisation__territory_id__in=scope.territory_ids)),
            (scope.organisation_ids, Q(organisation_id__in=scope.organisation_ids)),
            (
                scope.person_ids,
                Q(
                    Exists(
                        TeachingAssignment.objects.filter(school_class=OuterRef("pk"), person_id__in=scope.person_ids)
                    )
                ),
            ),
        )


class TeachingAssignmentQuerySet(ScopedQuerySet):
    def scope_q(self, scope: UserScope) -> Q:
        return any_of(
            (scope.territory_ids, Q(school_class__organisation__territory_id__in=scope.territory_ids)),
            (scope.organisation_ids, Q(school_class__organisation_id__in=scope.organisation_ids)),
            (scope.person_ids, Q(person_id__in=scope.person_ids)),
        )


TerritoryManager = models.Manager.from_queryset(TerritoryQuerySet)
