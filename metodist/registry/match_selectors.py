"""Reads of the «Заявки на подтверждение» pages: what was submitted and, for a reviewer, whom it matches."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from .choices import EmploymentKind, Gender, QualificationCategory
from .models import Employment, Person, PersonMatchRequest, Position, Subject, querysets

PERSON_LABELS = {
    "last_name": _("Фамилия"),
    "first_name": _("Имя"),
    "patronymic": _("Отчество"),
    "birth_date": _("Дата рождения"),
    "snils": _("СНИЛС"),
    "gender": _("Пол"),
    "email": _("Электронная почта"),
    "phone": _("Телефон"),
    "education": _("Образование"),
    "experience_start": _("Начало педагогического стажа"),
}


def _display(name: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if name in {"birth_date", "experience_start"} and isinstance(value, str):
        return datetime.date.fromisoformat(value).strftime("%d.%m.%Y")
    if name == "gender":
        return str(Gender(value).label)
    return str(value)


def _submitted_values(match_request: PersonMatchRequest) -> dict[str, Any]:
    values = {name: getattr(match_request, name) for name in ("last_name", "first_name", "patronymic")}
    values.update(birth_date=match_request.birth_date, snils=match_request.snils)
    values.update(match_request.person_values)
    return values


def _employments(match_request: PersonMatchRequest) -> list[dict[str, Any]]:
    data = match_request.employment_values
    positions = Position.objects.in_bulk({item["position"] for item in data if item.get("position")})
    subjects = Subject.objects.in_bulk({pk for item in data for pk in item.get("subjects", [])})
    rows = []
    for item in data:
        category = item.get("category") or QualificationCategory.NONE
        assigned = item.get("category_assigned_on")
        rows.append(
            {
                "position": positions.get(item.get("position")),
                "kind": EmploymentKind(item.get("kind") or EmploymentKind.MAIN).label,
                "subjects": ", ".join(subjects[pk].name for pk in item.get("subjects", []) if pk in subjects),
                "grades": ", ".join(str(g) for g in item.get("grades") or []),
                "start_date": _display("experience_start", item.get("start_date")),
                "category": QualificationCategory(category).label,
                "category_assigned_on": _display("experience_start", assigned),
                "is_manager": bool(item.get("is_manager")),
            }
        )
    return rows


def match_request_submitted(match_request: PersonMatchRequest) -> dict[str, Any]:
    """What the sender sees of their own request: their own values, never the registry's."""
    values = _submitted_values(match_request)
    return {
        "rows": [
            {"label": label, "submitted": _display(name, values.get(name))} for name, label in PERSON_LABELS.items()
        ],
        "employments": _employments(match_request),
    }


def match_request_review(match_request: PersonMatchRequest) -> dict[str, Any]:
    """What a reviewer (whose scope covers both sides) compares: submitted values against the matched person."""
    context = match_request_submitted(match_request)
    person: Person | None = match_request.matched_person
    if person is None:
        return {**context, "match": None, "match_employments": []}
    values = _submitted_values(match_request)
    for row, name in zip(context["rows"], PERSON_LABELS, strict=True):
        row["existing"] = _display(name, getattr(person, name))
        row["differs"] = bool(row["submitted"]) and bool(row["existing"]) and row["submitted"] != row["existing"]
    current = (
        Employment.objects.filter(querysets.active_on(), person=person)
        .select_related("organisation", "position")
        .order_by("-kind", "organisation__short_name")
    )
    return {**context, "match": person, "match_employments": list(current), "values": values}
