"""Reads of the registry that pages, exports and the dashboard share."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from metodist.core.fields import PERSONAL_ACCESS, can_view_personal, with_personal_access
from metodist.core.permissions import Action

from .models import CourseCompletion, Employment, Organisation, Person, TeachingAssignment
from .querysets import active_on


def person_list(user, action: str = Action.VIEW):
    """People in the user's scope: the narrow query that a list filters, counts, sorts and pages.

    What a row shows (derived figures, courses, current employments) is loaded afterwards for the
    page's people only, by :func:`person_rows` — not computed over the whole region to show 25 rows.
    """
    return Person.objects.visible_to(user, action)


# What a list row shows of a person and of their current employments (the rest is not read).
ROW_PERSON_FIELDS = ("id", "last_name", "first_name", "patronymic", "birth_date", "experience_start")
ROW_EMPLOYMENT_FIELDS = (
    "id",
    "person_id",
    "organisation_id",
    "position_id",
    "kind",
    "category",
    "organisation__short_name",
    "position__name",
)


def current_employments(user):
    """Current employments ``user`` may see, with what a row shows of them (organisation, position,
    category)."""
    return (
        Employment.objects.visible_to(user)
        .filter(active_on())
        .select_related("organisation", "position")
        .only(*ROW_EMPLOYMENT_FIELDS)
        .order_by("-kind", "organisation__short_name", "id")
    )


def person_rows(user, ids, today: datetime.date | None = None) -> list[Person]:
    """The people ``ids`` (in this order, all visible to ``user``) with their derived figures and current
    visible employments."""
    ids = list(ids)
    if not ids:
        return []
    people = (
        with_personal_access(Person.objects.filter(pk__in=ids).only(*ROW_PERSON_FIELDS), user, within=Action.VIEW)
        .with_derived_figures(today)
        .prefetch_related(Prefetch("employments", queryset=current_employments(user), to_attr="current_employments"))
    )
    by_id = {person.pk: person for person in people}
    return [by_id[pk] for pk in ids if pk in by_id]


def organisation_staff(user, organisation: Organisation, limit: int = 500) -> list[Person]:
    """People working now in ``organisation`` (as ``user`` sees them), each with ``org_employments``:
    their current employments in this organisation, one per position (a director who also teaches
    has two)."""
    ids = (
        person_list(user)
        .working_in([organisation.pk])
        .order_by("last_name", "first_name", "patronymic", "id")
        .values_list("pk", flat=True)[:limit]
    )
    people = person_rows(user, ids)
    for person in people:
        person.org_employments = [e for e in person.current_employments if e.organisation_id == organisation.pk]
    return people


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
    if not can_view_personal(user, person):
        # Reached through a relation (a mentor, an expert …): the public card only (metodist.core.fields).
        return {"employments": list(employments), "personal_visible": False}
    return {
        "employments": list(employments),
        "courses": list(CourseCompletion.objects.visible_to(user).filter(person=person).order_by("-end_date")),
        "statuses": list(person.statuses.all()),
        "awards": list(person.awards.all()),
        "assignments": list(assignments),
        "personal_visible": True,
    }


def person_history(user, person: Person, limit: int = 100):
    """Audit entries (changes and views) of the person and of their employments, courses, awards …

    Only entries about objects ``user`` may see: a second job in another municipality stays out of the
    panel for a viewer who does not see that municipality. Entries about deleted courses, awards and
    statuses follow the person (the page has already checked that the person is visible).
    """
    from auditlog.models import LogEntry

    from metodist.core.history import scoped_history

    from .models import Award, PersonStatus

    if not can_view_personal(user, person):
        return LogEntry.objects.none()  # the history shows personal data (old and new values)
    entries = LogEntry.objects.filter(additional_data__person_id=person.pk)
    return (
        scoped_history(user, entries, deleted_visible_for=(CourseCompletion, Award, PersonStatus))
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
    working = Employment.objects.filter(active_on(today)).filter(person=OuterRef("pk"))
    people = Person.objects.visible_to(user).filter(Exists(working))
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


_EXPORT_PERSON_FIELDS = (
    "id",
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "experience_start",
    "email",
    "phone",
    "has_recent_courses_flag",
    "age_years",
    "experience_full_years",
    "is_young_flag",
)
_EXPORT_PERSONAL_FIELDS = ("birth_date", "experience_start", "email", "phone")


def person_export_rows(user, people, *, chunk_size: int = 2000):
    """Rows for the people export: plain values in chunks, no model instances per employment.

    ``people`` is the filtered, ordered queryset of the list page (annotated with
    ``has_recent_courses_flag``). Each yielded ``Person`` carries ``export_employments``: dicts of the
    person's current employments that ``user`` may see.
    """
    from .choices import QualificationCategory

    today = timezone.localdate()
    labels = {value: str(label) for value, label in QualificationCategory.choices}
    visible = Employment.objects.visible_to(user).filter(active_on())
    through = Employment.subjects.through
    buffer: list[dict] = []

    def flush(rows: list[dict]):
        ids = [row["id"] for row in rows]
        employments: dict[int, list[dict]] = {}
        found = list(
            visible.filter(person_id__in=ids)
            .order_by("person_id", "-kind", "organisation__short_name", "id")
            .values(
                "id",
                "person_id",
                "organisation__short_name",
                "position__name",
                "category",
                "category_expires_on",
                "grades",
            )
        )
        subjects: dict[int, list[str]] = {}
        for employment_id, name in (
            through.objects.filter(employment_id__in=[e["id"] for e in found])
            .order_by("subject__sort_order")
            .values_list("employment_id", "subject__name")
        ):
            subjects.setdefault(employment_id, []).append(name)
        for employment in found:
            employment["category_label"] = labels.get(employment["category"], employment["category"])
            employment["subjects"] = subjects.get(employment["id"], [])
            employments.setdefault(employment["person_id"], []).append(employment)
        for row in rows:
            flag = row.pop("has_recent_courses_flag")
            personal = row.pop(PERSONAL_ACCESS)
            if not personal:
                # the public card only: personal columns stay empty (metodist.core.fields)
                row.update(dict.fromkeys(_EXPORT_PERSONAL_FIELDS))
                flag = None
            # Plain rows, no model instances: the figures come from PersonQuerySet.with_derived_figures().
            person = SimpleNamespace(**row)
            person.pk = row["id"]
            person.has_recent_courses_flag = flag
            person.export_employments = employments.get(row["id"], [])
            person.export_age = row["age_years"] if personal else None
            person.export_experience = row["experience_full_years"] if personal else None
            person.export_young = row["is_young_flag"] if personal else None
            yield person

    rows = with_personal_access(people.with_derived_figures(today), user).values(
        *_EXPORT_PERSON_FIELDS, PERSONAL_ACCESS
    )
    for row in rows.iterator(chunk_size=chunk_size):
        buffer.append(row)
        if len(buffer) >= chunk_size:
            yield from flush(buffer)
            buffer = []
    if buffer:
        yield from flush(buffer)
