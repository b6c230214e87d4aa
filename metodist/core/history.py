"""The scoped history reader: audit entries filtered to objects the viewer may see.

A person's «История изменений» collects entries about the person *and* about their employments,
courses, teaching assignments … — some of which may lie outside the viewer's scope (a second job in
another municipality). :func:`scoped_history` keeps an entry only when the object it is about is
visible to the viewer through its model's scoped queryset, in one query whatever the number of models.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from .permissions import Action
from .scoping import ScopedQuerySet, scope_for

if TYPE_CHECKING:
    from .types import AnyUser


def scoped_history(
    user: AnyUser | None,
    entries: QuerySet[LogEntry],
    *,
    action: str = Action.VIEW,
    deleted_visible_for: Iterable[type[Model]] = (),
) -> QuerySet[LogEntry]:
    """``entries`` limited to those about objects ``user`` may see for ``action``.

    Entries about a model without a scoped queryset are dropped. An entry about an object that no
    longer exists is kept only for models in ``deleted_visible_for`` (the caller has checked the parent
    the history belongs to, e.g. a person's courses follow the person) or for a user with a global scope.
    """
    keep_deleted = {model._meta.label_lower for model in deleted_visible_for}
    content_type_ids = set(entries.order_by().values_list("content_type_id", flat=True).distinct())
    condition = Q(pk__in=[])
    for content_type_id in sorted(content_type_ids):
        content_type = ContentType.objects.get_for_id(content_type_id)  # cached by Django
        model = content_type.model_class()
        if model is None:
            continue
        queryset = model._default_manager.all()
        if not isinstance(queryset, ScopedQuerySet):
            continue
        if scope_for(user, action, queryset.capability).is_global:
            condition |= Q(content_type=content_type)
            continue
        visible = Q(content_type=content_type, object_id__in=queryset.visible_to(user, action).values("pk"))
        if model._meta.label_lower in keep_deleted:
            gone = ~Exists(model._base_manager.filter(pk=OuterRef("object_id")))
            visible |= Q(content_type=content_type) & Q(gone)
        condition |= visible
    return entries.filter(condition)
