"""What of a person is the public card and what is personal data (metodist.core.fields).

The public card (name, organisation, position, subjects, category — the latter three come from the
person's employments, which are public) is what a colleague reached through a relation sees: a mentor, an
association head, an expert. Everything else about the person is personal data, shown only to viewers
with ``view_personal`` on the person (their managers' structural scopes and the person themselves).
Names are both model fields and the API's / templates' derived names.
"""

from __future__ import annotations

PERSON_PUBLIC_FIELDS = frozenset(
    {
        "id",
        "last_name",
        "first_name",
        "patronymic",
        "full_name",
        "current_employments",
        "employments",
        "created_at",
        "updated_at",
    }
)

PERSON_PERSONAL_FIELDS = frozenset(
    {
        "snils",
        "birth_date",
        "gender",
        "email",
        "phone",
        "education",
        "experience_start",
        # derived from personal data
        "age",
        "experience_years",
        "is_young",
        "has_recent_courses",
        # what belongs to the person beyond the card
        "courses",
        "statuses",
        "awards",
        "teaching_assignments",
    }
)


def register() -> None:
    from metodist.core.fields import register_field_sets

    register_field_sets("registry.Person", public=PERSON_PUBLIC_FIELDS, personal=PERSON_PERSONAL_FIELDS)
