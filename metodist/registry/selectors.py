"""Reads of the registry that pages, exports and the dashboard share."""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from metodist.accounts.choices import Action

from .models import CourseCompletion, Employment, Organisation, Person, TeachingAssignment
from .querysets import active_on


def person_list(user, action: str = Action.VIEW):
    """People in the user's scope with what a list row shows: current visible employments, course flag."""
    employments = (
        Employment.objects.visible_to(user)
        .filter(active_on())
        .select_related("organisation", "position")
        .prefetch_related("subjects")
        .order_by("-kind", "organisation__short_name")
    )
    return (
        Person.objects.visible_to(user, action)
        .with_recent_courses()
        .prefetch_related(Prefetch("employments", queryset=employments, to_attr="current_employments"))
    )


def person_detail_related(user, person: Person) -> dict:
    """Everything a person's page shows, each part scoped for ``user``."""
    employments = (
        Employment.objects.visible_to(user)
        .filter(person=person)
        .select_related("organisation", "position")
        .prefetch_related("subjects")
        .order_by("end_date", "-kind")
    )
    assignments = (
        TeachingAssignment.objects.visible_to(user)
        .filter(person=person)
        .select_related("school_class__organisation", "subject")
        .order_by("-school_class__academic_year", "school_class__grade", "school_class__letter")
    )
    return {
        "employments": list(employments),
        "courses": list(CourseCompletion.objects.visible_to(user).filter(person=person).order_by("-end_date")),
        "statuses": list(person.statuses.all()),
        "awards": list(person.awards.all()),
        "assignments": list(assignments),
    }


def person_history(person: Person, limit: int = 100):
    """Audit entries (changes and views) of the person and of their employments, courses, awards."""
    from auditlog.models import LogEntry

    return (
        LogEntry.objects.filter(additional_data__person_id=person.pk)
        .select_related("actor", "content_type")
        .order_by("-timestamp")[:limit]
    )


def organisation_list(user, action: str = Action.VIEW):
    today = timezone.localdate()
    staff = Q(employments__end_date__isnull=True) | Q(employments__end_date__gte=today)
    return (
        Organisation.objects.visible_to(user, action)
        .select_related("territory")
        .annotate(staff_count=Count("employments__person", filter=staff, distinct=True))
    )


def registry_summary(user, today: datetime.date | None = None) -> dict:
    """The dashboard figures of the user's scope."""
    today = today or timezone.localdate()
    organisations = Organisation.objects.visible_to(user).filter(is_active=True)
    people = (
        Person.objects.visible_to(user)
        .filter(Q(employments__end_date__isnull=True) | Q(employments__end_date__gte=today))
        .distinct()
    )
    people_ids = people.values("pk")
    total = people.count()
    young = Person.objects.filter(pk__in=people_ids).young(today).count()
    with_courses = (
        Person.objects.filter(pk__in=people_ids).with_recent_courses(today).filter(has_recent_courses_flag=True).count()
    )
    expiring = (
        Employment.objects.visible_to(user).active(today).category_expiring(today).values("person").distinct().count()
    )
    return {
        "organisations": organisations.count(),
        "low_results": organisations.filter(low_results=True).count(),
        "people": total,
        "young": young,
        "category_expiring": expiring,
        "with_recent_courses": with_courses,
        "recent_courses_share": round(100 * with_courses / total) if total else 0,
    }
