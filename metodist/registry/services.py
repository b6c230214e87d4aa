"""Writes of the registry that touch several models.

One write path for new people: the page (``views.person_create``), the API (``PersonCreateSerializer``) and
the staff import all call :func:`person_create_with_employment`. A user who is not an administrator never
creates a person nor reaches one outside their scope on their own: what they submit waits as a
:class:`~metodist.registry.models.PersonMatchRequest` «на подтверждении у методиста» — **whether or not such
a person exists anywhere**, with the same answer, so that a form, the API or a file cannot be used to learn
whether a СНИЛС or a name is in the registry. People already in the user's scope are matched strictly
(:func:`person_find_in_scope`): by СНИЛС only when surname and first name agree too, by name only with
surname, first name and birth date.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metodist.core.permissions import Action
from metodist.core.scoping import scope_for

from .choices import MatchRequestSource, MatchRequestState
from .models import Employment, Organisation, Person, PersonMatchRequest, Position, Subject

# Messages -------------------------------------------------------------------------------------------------

SUBMITTED_FOR_CONFIRMATION = _(
    "Сведения о педагоге «%(name)s» переданы на подтверждение методисту. Педагог появится в списке организации, "
    "когда методист подтвердит заявку."
)
PERSON_CREATED = _("Педагог добавлен.")
ALREADY_IN_SCOPE = _("Педагог «%(name)s» уже есть в реестре: откройте его карточку и добавьте место работы там.")
SNILS_OF_ANOTHER_PERSON = _(
    "СНИЛС %(value)s указан у педагога с другими фамилией или именем. Проверьте СНИЛС, фамилию и имя."
)
AMBIGUOUS_PERSON = _("В реестре несколько педагогов «%(name)s» с этой датой рождения — укажите СНИЛС.")
ORGANISATION_OUT_OF_SCOPE = _("Организация не найдена или вне вашей зоны доступа.")
REQUEST_ALREADY_RESOLVED = _("Заявка уже рассмотрена.")
REQUEST_CONFIRMED_NEW = _("Заявка подтверждена: педагог «%(name)s» добавлен в реестр.")
REQUEST_CONFIRMED_MATCH = _("Заявка подтверждена: педагогу «%(name)s» добавлено место работы.")
REQUEST_REJECTED = _("Заявка отклонена.")
SNILS_CHANGE_SUBMITTED = _(
    "Изменения сохранены. Новый СНИЛС передан на подтверждение методисту и появится в карточке, когда методист "
    "подтвердит заявку."
)
SNILS_CHANGE_CLASH = _(
    "СНИЛС из заявки уже указан у педагога «%(name)s». Проверьте СНИЛС; если это один человек, объедините "
    "карточки вручную или отклоните заявку."
)
REQUEST_CONFIRMED_SNILS = _("Заявка подтверждена: педагогу «%(name)s» изменён СНИЛС.")

PERSON_VALUE_FIELDS = ("gender", "email", "phone", "education", "experience_start")
IDENTITY_FIELDS = ("last_name", "first_name", "patronymic", "birth_date", "snils")
EMPLOYMENT_VALUE_FIELDS = (
    "kind",
    "grades",
    "start_date",
    "end_date",
    "is_manager",
    "category",
    "category_assigned_on",
)
_DATE_FIELDS = {"birth_date", "experience_start", "start_date", "end_date", "category_assigned_on"}


# The matching rule, once ----------------------------------------------------------------------------------


def normalise_name(value: str | None) -> str:
    """A name as compared: case, «ё» and repeated spaces do not matter."""
    return " ".join((value or "").replace("ё", "е").replace("Ё", "Е").casefold().split())


def names_agree(person: Person, *, last_name: str, first_name: str) -> bool:
    """A СНИЛС match is the same person only when surname AND first name agree too."""
    return normalise_name(person.last_name) == normalise_name(last_name) and normalise_name(
        person.first_name
    ) == normalise_name(first_name)


def name_matches(
    person: Person,
    *,
    last_name: str,
    first_name: str,
    patronymic: str = "",
    birth_date: datetime.date | None,
    snils: str = "",
) -> bool:
    """A match without СНИЛС: surname, first name and birth date agree (and the patronymic when both have one);
    a person with another СНИЛС is someone else."""
    if birth_date is None or person.birth_date != birth_date:
        return False
    if not names_agree(person, last_name=last_name, first_name=first_name):
        return False
    if patronymic and person.patronymic and normalise_name(patronymic) != normalise_name(person.patronymic):
        return False
    return not (snils and person.snils and person.snils != snils)


class PersonMatchConflict(ValidationError):
    """The submitted person cannot be told apart from people the user sees (never about people they do not)."""

    def __init__(self, message, *, person: Person | None = None, code: str = "person_conflict") -> None:
        super().__init__(message, code=code)
        self.person = person


class PersonAlreadyInScope(PersonMatchConflict):
    """The submitted person is already in the user's scope: add a place of work on their card instead."""


def person_find_in_scope(
    *,
    actor,
    action: str = Action.CHANGE,
    last_name: str,
    first_name: str,
    patronymic: str = "",
    birth_date: datetime.date | None = None,
    snils: str = "",
) -> Person | None:
    """The person ``actor`` sees in their ``action`` scope that these values describe, or ``None``.

    Raises :class:`PersonMatchConflict` when the СНИЛС belongs to a visible person with another surname or
    first name, or when several visible people share the name and birth date.
    """
    visible = Person.objects.visible_to(actor, action)
    if snils:
        person = visible.filter(snils=snils).first()
        if person is not None:
            if names_agree(person, last_name=last_name, first_name=first_name):
                return person
            raise PersonMatchConflict(SNILS_OF_ANOTHER_PERSON % {"value": snils}, person=person)
    if birth_date is None:
        return None
    candidates = [
        person
        for person in visible.filter(birth_date=birth_date)
        if name_matches(
            person,
            last_name=last_name,
            first_name=first_name,
            patronymic=patronymic,
            birth_date=birth_date,
            snils=snils,
        )
    ]
    if len(candidates) > 1:
        name = " ".join(p for p in (last_name, first_name, patronymic) if p)
        raise PersonMatchConflict(AMBIGUOUS_PERSON % {"name": name}, code="ambiguous_person")
    return candidates[0] if candidates else None


def _registry_match(*, snils: str, last_name: str, first_name: str, patronymic: str, birth_date) -> Person | None:
    """The person these values describe anywhere in the registry — for the reviewer, never for the submitter."""
    if snils:
        person = Person.objects.filter(snils=snils).first()
        if person is not None:
            return person
    if birth_date is None:
        return None
    candidates = [
        person
        for person in Person.objects.filter(birth_date=birth_date)
        if name_matches(
            person,
            last_name=last_name,
            first_name=first_name,
            patronymic=patronymic,
            birth_date=birth_date,
            snils=snils,
        )
    ]
    return candidates[0] if len(candidates) == 1 else None


# Values kept in a request ----------------------------------------------------------------------------------


def _to_json(name: str, value: Any) -> Any:
    if name in _DATE_FIELDS and isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _from_json(name: str, value: Any) -> Any:
    if name in _DATE_FIELDS and isinstance(value, str) and value:
        return datetime.date.fromisoformat(value)
    return value


def _employment_json(values: Mapping[str, Any]) -> dict[str, Any]:
    position = values["position"]
    subjects = values.get("subjects") or []
    data = {name: _to_json(name, values[name]) for name in EMPLOYMENT_VALUE_FIELDS if name in values}
    data["position"] = position.pk if isinstance(position, Position) else int(position)
    data["subjects"] = sorted(s.pk if isinstance(s, Subject) else int(s) for s in subjects)
    return data


def _employment_from_json(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: _from_json(name, data[name]) for name in EMPLOYMENT_VALUE_FIELDS if name in data}
    values["position"] = Position.objects.get(pk=data["position"])
    values["subjects"] = list(Subject.objects.filter(pk__in=data.get("subjects", [])))
    return values


def _person_identity(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "last_name": (values.get("last_name") or "").strip(),
        "first_name": (values.get("first_name") or "").strip(),
        "patronymic": (values.get("patronymic") or "").strip(),
        "birth_date": values.get("birth_date"),
        "snils": values.get("snils") or "",
    }


# Checks through the models (one home for every rule) ------------------------------------------------------


def _new_person(values: Mapping[str, Any]) -> Person:
    person = Person(**{k: v for k, v in values.items() if v is not None})
    # A used СНИЛС is not an error here: it is what a request is for (the constraint would reveal it).
    person.full_clean(validate_constraints=False)
    return person


def _new_employment(*, organisation: Organisation, values: Mapping[str, Any]) -> tuple[Employment, list[Subject]]:
    fields = {k: v for k, v in values.items() if k not in ("subjects", "organisation") and v is not None}
    employment = Employment(organisation=organisation, **fields)
    employment.full_clean(exclude={"person"})
    return employment, list(values.get("subjects") or [])


def _save_employment(person: Person, employment: Employment, subjects: Iterable[Subject]) -> Employment:
    employment.person = person
    employment.save()
    employment.subjects.set(list(subjects))
    return employment


# Creating a person with their first place of work ----------------------------------------------------------


@dataclass(frozen=True)
class PersonCreateResult:
    """What happened to a submitted person: created (administrators) or waiting for confirmation."""

    person: Person | None = None
    request: PersonMatchRequest | None = None

    @property
    def is_pending(self) -> bool:
        return self.request is not None


@transaction.atomic
def person_create_with_employment(
    *,
    actor,
    person_values: Mapping[str, Any],
    employment_values: Mapping[str, Any],
    more_employment_values: Sequence[Mapping[str, Any]] = (),
    action: str = Action.CHANGE,
    source: str = MatchRequestSource.FORM,
    source_label: str = "",
) -> PersonCreateResult:
    """Create a person with their first place of work, or hold them for a methodologist's confirmation.

    ``person_values`` are the fields of :class:`Person`; ``employment_values`` those of :class:`Employment`
    with ``organisation`` (an :class:`Organisation` in the actor's ``action`` scope), ``position`` and
    optionally ``subjects``. ``more_employment_values`` are further places of work in the same organisation
    (an import row per position).

    Raises :class:`PersonAlreadyInScope` if the actor already sees this person (they add a place of work on
    the person's card), :class:`PersonMatchConflict` if the values contradict a visible person, and
    ``ValidationError`` for values the models refuse. Otherwise an administrator's person is created at once;
    anyone else's becomes a pending :class:`PersonMatchRequest` — the same answer whether or not the person
    exists outside the actor's scope.
    """
    organisation = employment_values["organisation"]
    if not Organisation.objects.visible_to(actor, action).filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": ValidationError(ORGANISATION_OUT_OF_SCOPE, code="out_of_scope")})
    identity = _person_identity(person_values)
    person = _new_person({**person_values, **identity})
    employments = [
        _new_employment(organisation=organisation, values=values)
        for values in (employment_values, *more_employment_values)
    ]
    existing = person_find_in_scope(actor=actor, action=action, **identity)
    if existing is not None:
        raise PersonAlreadyInScope(ALREADY_IN_SCOPE % {"name": existing.full_name}, person=existing)

    if scope_for(actor, action).is_global:
        person.save()
        for employment, subjects in employments:
            _save_employment(person, employment, subjects)
        return PersonCreateResult(person=person)

    request = _request_upsert(
        actor=actor,
        organisation=organisation,
        identity=identity,
        person_values=person_values,
        employments=[employment_values, *more_employment_values],
        source=source,
        source_label=source_label,
    )
    return PersonCreateResult(request=request)


def _request_upsert(
    *,
    actor,
    organisation: Organisation,
    identity: dict[str, Any],
    person_values: Mapping[str, Any],
    employments: Sequence[Mapping[str, Any]],
    source: str,
    source_label: str,
) -> PersonMatchRequest:
    """One pending request per person and organisation: submitting the same person again updates it."""
    matched = _registry_match(**identity)
    same = PersonMatchRequest.objects.select_for_update().filter(
        organisation=organisation, state=MatchRequestState.PENDING
    )
    if identity["snils"]:
        same = same.filter(snils=identity["snils"])
    else:
        same = same.filter(
            snils="",
            last_name__iexact=identity["last_name"],
            first_name__iexact=identity["first_name"],
            birth_date=identity["birth_date"],
        )
    request = same.first() or PersonMatchRequest(organisation=organisation)
    request.requested_by = actor
    request.source = source
    request.source_label = source_label[:300]
    for name, value in identity.items():
        setattr(request, name, value if value is not None else (None if name == "birth_date" else ""))
    request.person_values = {
        name: _to_json(name, person_values[name])
        for name in PERSON_VALUE_FIELDS
        if person_values.get(name) not in (None, "")
    }
    request.employment_values = [_employment_json(values) for values in employments]
    request.matched_person = matched
    request.save()
    return request


# Deciding a request ----------------------------------------------------------------------------------------


def _snils_holder(*, snils: str, person_id: int) -> Person | None:
    """Who else holds this СНИЛС — for the reviewer of a СНИЛС change, never for the editor."""
    return Person.objects.filter(snils=snils).exclude(pk=person_id).first() if snils else None


def _reviewable_or_denied(*, actor, request_id: int) -> PersonMatchRequest:
    request = PersonMatchRequest.objects.select_for_update(of=("self",)).get(pk=request_id)
    if not request.is_pending:
        raise ValidationError(REQUEST_ALREADY_RESOLVED, code="resolved")
    # The registry may have changed since the request was made: match again before deciding.
    if request.snils_change_for_id is not None:
        matched = _snils_holder(snils=request.snils, person_id=request.snils_change_for_id)
    else:
        matched = _registry_match(
            snils=request.snils,
            last_name=request.last_name,
            first_name=request.first_name,
            patronymic=request.patronymic,
            birth_date=request.birth_date,
        )
    if matched != request.matched_person:
        request.matched_person = matched
        request.save(update_fields=["matched_person", "updated_at"])
    if not PersonMatchRequest.objects.reviewable_by(actor).filter(pk=request.pk).exists():
        raise PermissionDenied
    return request


@transaction.atomic
def person_match_request_confirm(*, actor, request: PersonMatchRequest) -> Person:
    """Confirm a request: create the new person, or add the places of work to the person it matches.

    A matched person's data are not overwritten: only fields they have empty are filled from the request.
    Raises ``PermissionDenied`` unless ``actor``'s scope covers both sides (see ``reviewable_by``).
    """
    request = _reviewable_or_denied(actor=actor, request_id=request.pk)
    if request.snils_change_for_id is not None:
        return _confirm_snils_change(actor=actor, request=request)
    employments = [_employment_from_json(data) for data in request.employment_values]
    person_values = {name: _from_json(name, value) for name, value in request.person_values.items()}
    person = request.matched_person
    if person is None:
        identity = {name: getattr(request, name) for name in IDENTITY_FIELDS}
        person = _new_person({**person_values, **identity})
        person.save()
    else:
        filled = {}
        for name in (*IDENTITY_FIELDS, *PERSON_VALUE_FIELDS):
            value = person_values.get(name, getattr(request, name, None))
            if value not in (None, "") and getattr(person, name) in (None, ""):
                filled[name] = value
        if filled:
            for name, value in filled.items():
                setattr(person, name, value)
            person.full_clean(validate_constraints=False)
            person.save(update_fields=[*filled, "updated_at"])
    for values in employments:
        current = Employment.objects.filter(
            person=person, organisation=request.organisation, position=values["position"], end_date__isnull=True
        )
        if current.exists():
            continue
        employment, subjects = _new_employment(organisation=request.organisation, values=values)
        _save_employment(person, employment, subjects)
    request.state = MatchRequestState.CONFIRMED
    request.resolved_by = actor
    request.resolved_at = timezone.now()
    request.person = person
    request.save(update_fields=["state", "resolved_by", "resolved_at", "person", "updated_at"])
    return person


def _confirm_snils_change(*, actor, request: PersonMatchRequest) -> Person:
    """Apply a held СНИЛС change if the СНИЛС is still free; else tell the reviewer (who sees both people)."""
    if request.matched_person is not None:
        raise ValidationError(SNILS_CHANGE_CLASH % {"name": request.matched_person.full_name}, code="snils_taken")
    person = Person.objects.select_for_update().get(pk=request.snils_change_for_id)
    person.snils = request.snils
    person.full_clean()
    person.save(update_fields=["snils", "updated_at"])
    request.state = MatchRequestState.CONFIRMED
    request.resolved_by = actor
    request.resolved_at = timezone.now()
    request.person = person
    request.save(update_fields=["state", "resolved_by", "resolved_at", "person", "updated_at"])
    return person


@transaction.atomic
def person_match_request_reject(*, actor, request: PersonMatchRequest, comment: str = "") -> PersonMatchRequest:
    """Reject a request; nothing is written to the registry."""
    request = _reviewable_or_denied(actor=actor, request_id=request.pk)
    request.state = MatchRequestState.REJECTED
    request.resolved_by = actor
    request.resolved_at = timezone.now()
    request.comment = comment[:1000]
    request.save(update_fields=["state", "resolved_by", "resolved_at", "comment", "updated_at"])
    return request


# Changing a person ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonUpdateResult:
    """The person as saved, and the request holding their new СНИЛС when the change waits for confirmation."""

    person: Person
    request: PersonMatchRequest | None = None

    @property
    def is_pending(self) -> bool:
        return self.request is not None


def holds_snils_changes(actor, action: str = Action.CHANGE) -> bool:
    """Whether ``actor``'s СНИЛС changes wait for confirmation (everyone but administrators): their form and
    API must not check the СНИЛС against the registry, else the answer would tell whether it is in use."""
    return not scope_for(actor, action).is_global


@transaction.atomic
def person_update(
    *,
    actor,
    person: Person,
    values: Mapping[str, Any],
    action: str = Action.CHANGE,
    source: str = MatchRequestSource.FORM,
) -> PersonUpdateResult:
    """Save the changed fields of a person the actor may change (the form or serializer has validated them).

    A non-administrator's change of the СНИЛС to another non-empty value is not written: it waits as a
    :class:`PersonMatchRequest` with ``snils_change_for`` — whether the СНИЛС is free or used anywhere, with the
    same answer (no СНИЛС oracle). A reviewer whose scope covers the person and whoever holds that СНИЛС
    confirms it (:func:`person_match_request_confirm`). An administrator's change is saved at once.
    """
    current = Person.objects.select_for_update().get(pk=person.pk)
    new_snils = values.get("snils") or ""
    hold = "snils" in values and new_snils not in ("", current.snils) and holds_snils_changes(actor, action)
    old_snils = current.snils
    for name, value in values.items():
        setattr(current, name, value)
    # The model's rules (the СНИЛС checksum too); a held СНИЛС is not checked against the registry.
    current.full_clean(validate_constraints=not hold)
    if hold:
        current.snils = old_snils
    current.save()
    if not hold:
        return PersonUpdateResult(person=current)
    return PersonUpdateResult(
        person=current, request=_snils_change_upsert(actor=actor, person=current, snils=new_snils, source=source)
    )


def _snils_change_upsert(*, actor, person: Person, snils: str, source: str) -> PersonMatchRequest:
    """One pending СНИЛС change per person: changing it again updates the request."""
    employment = (
        Employment.objects.visible_to(actor, Action.CHANGE)
        .filter(person=person)
        .order_by("end_date", "-kind", "id")
        .select_related("organisation")
        .first()
    )
    if employment is None:  # the person is reached through their employments: cannot happen for a scoped user
        raise PermissionDenied
    request = (
        PersonMatchRequest.objects.select_for_update()
        .filter(snils_change_for=person, state=MatchRequestState.PENDING)
        .first()
    ) or PersonMatchRequest(snils_change_for=person)
    request.organisation = employment.organisation
    request.requested_by = actor
    request.source = source
    request.source_label = ""
    request.last_name, request.first_name, request.patronymic = person.last_name, person.first_name, person.patronymic
    request.birth_date = person.birth_date
    request.snils = snils
    request.person_values = {}
    request.employment_values = []
    request.matched_person = _snils_holder(snils=snils, person_id=person.pk)
    request.save()
    return request
