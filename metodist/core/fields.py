"""Field-level visibility: the public card and the personal data of a model (152-ФЗ).

Rows are not enough: a mentor, an association head or an expert reaches a colleague through a
relation and sees their **public card** (name, organisation, position, subjects, category), never their
**personal data** (СНИЛС, birth date, phone, e-mail …). The rule:

* a model declares its field sets with :func:`register_field_sets` (from its app's ``ready()``);
* personal fields are shown only where the viewer has the action ``view_personal`` on the row
  (:data:`metodist.accounts.choices.Action.VIEW_PERSONAL`) — granted by the structural scopes of the
  roles that manage people (administrator, methodologist, observer, coordinator) and by one's own
  profile; relation scopes grant ``view`` only, so a mentee's personal data stays hidden from the mentor;
* pages ask :func:`can_view_personal` (one object) or annotate a list with :func:`with_personal_access`;
  serializers drop the personal fields (:func:`public_only`); exports blank them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models

from .permissions import Action
from .scoping import ScopedQuerySet

if TYPE_CHECKING:
    from .types import AnyUser

_Scoped = TypeVar("_Scoped", bound=ScopedQuerySet)
ModelRef = type[models.Model] | models.Model | str  # a model, one of its rows, or "app_label.Model"

PERSONAL_ACCESS = "personal_visible"  # the annotation with_personal_access() adds


@dataclass(frozen=True)
class FieldSets:
    """The public card and the personal data of one model (field or attribute names)."""

    public: frozenset[str]
    personal: frozenset[str]


_FIELD_SETS: dict[str, FieldSets] = {}


def _label(model: ModelRef) -> str:
    return model.lower() if isinstance(model, str) else model._meta.label_lower


def register_field_sets(model: ModelRef, *, public: Iterable[str], personal: Iterable[str]) -> FieldSets:
    """Declare the public card and the personal data of ``model`` (a model or ``"app_label.Model"``)."""
    public_set, personal_set = frozenset(public), frozenset(personal)
    if public_set & personal_set:
        raise ValueError(f"fields both public and personal: {sorted(public_set & personal_set)}")
    sets = FieldSets(public=public_set, personal=personal_set)
    _FIELD_SETS[_label(model)] = sets
    return sets


def field_sets(model: ModelRef) -> FieldSets:
    """The declared field sets of ``model``; a model without a declaration has no personal fields."""
    return _FIELD_SETS.get(_label(model), FieldSets(frozenset(), frozenset()))


def personal_fields(model: ModelRef) -> frozenset[str]:
    return field_sets(model).personal


def can_view_personal(user: AnyUser | None, instance: models.Model) -> bool:
    """Whether ``user`` may see the personal data of ``instance`` (one query, or none if annotated)."""
    annotated = getattr(instance, PERSONAL_ACCESS, None)
    if annotated is not None:
        return bool(annotated)
    queryset = type(instance)._default_manager.all()
    if not isinstance(queryset, ScopedQuerySet):
        return not personal_fields(type(instance))  # outside the contract: nothing personal is shown
    return queryset.visible_to(user, Action.VIEW_PERSONAL).filter(pk=instance.pk).exists()


def with_personal_access(
    queryset: _Scoped, user: AnyUser | None, name: str = PERSONAL_ACCESS, *, within: str | None = None
) -> _Scoped:
    """Annotate each row with ``name``: whether ``user`` may see its personal data (no extra query).

    ``within=Action.VIEW`` when the rows are known to be visible to ``user`` (see ``ScopedQuerySet.with_access``).
    """
    return queryset.with_access(user, Action.VIEW_PERSONAL, name, within=within)


def public_only(data: dict[str, Any], model: ModelRef) -> dict[str, Any]:
    """``data`` (a serialized row) without the personal fields of ``model``."""
    personal = personal_fields(model)
    return {key: value for key, value in data.items() if key not in personal}
