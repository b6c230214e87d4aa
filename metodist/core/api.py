"""API base classes every app's endpoints build on (Django REST framework).

* :class:`ScopedViewSet` — a viewset over ``model.objects.visible_to(user, VIEW or CHANGE)``: an object
  out of scope is a 404 whatever the method, a write by a user whose roles never allow changes is a 403;
  ``capability`` defaults to the model queryset's own. :class:`ReadViewSet`, :class:`ReadCreateViewSet`
  and :class:`ReadWriteViewSet` add the usual actions; writes run inside ``acting_as`` so that
  django-auditlog records the API user.
* :class:`ScopedPrimaryKeyRelatedField` — a related object a client writes is looked up in the user's
  scope; anything else is «не найден», so its existence is not revealed.
* :class:`FieldSetsSerializerMixin` — drops a model's personal fields (metodist.core.fields) from rows
  whose personal data the user may not see.
* :class:`ScopedAutoSchema` — documents 400 (invalid filter or data) and 404 (not found or out of scope).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, cast

from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from .audit import AuditedListMixin, acting_as
from .fields import can_view_personal, personal_fields, public_only, with_personal_access
from .permissions import Action
from .scoping import ScopedQuerySet, can

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
    from rest_framework.views import APIView

    from .types import AnyUser

NOT_FOUND = _("Не найдено.")
NO_CHANGE_RIGHT = _("У вас нет прав на изменение этих данных.")


def request_user(field: Any) -> AnyUser | None:
    """The user of the request a serializer or field works for (``None`` outside a request)."""
    request = field.context.get("request")
    user: AnyUser | None = getattr(request, "user", None)
    return user


def scoped_queryset(model: type[models.Model]) -> ScopedQuerySet:
    """``model``'s default queryset, which must be scoped (metodist.core.scoping)."""
    return cast(ScopedQuerySet, model._default_manager.all())


class ChangeRightForWrites(BasePermission):
    """Reads for every authenticated user (the queryset limits them); writes only for roles with CHANGE."""

    message = NO_CHANGE_RIGHT

    def has_permission(self, request: Request, view: APIView) -> bool:
        capability = getattr(view, "scope_capability", None)
        return request.method in SAFE_METHODS or can(request.user, Action.CHANGE, capability)


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ScopedAutoSchema(AutoSchema):
    """Adds the error answers every scoped endpoint gives: 400 and 404 with a Russian ``detail``."""

    _ERROR = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    }

    def _error(self, description: str) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": self._ERROR}}}

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        method = self.method.upper()
        is_list = self._is_list_view()
        if method in {"POST", "PUT", "PATCH"} or (is_list and getattr(self.view, "filterset_class", None)):
            responses.setdefault("400", self._error("Неверные данные или значение фильтра (по полям)."))
        if (not is_list or method in {"PUT", "PATCH", "DELETE"}) and "{" in self.path:
            responses.setdefault("404", self._error("Не найдено или вне вашей зоны доступа."))
        return responses


class ScopedViewSet(viewsets.GenericViewSet[Any]):
    """A viewset over ``model.objects.visible_to(user, VIEW or CHANGE)``.

    Subclasses set ``model`` and may override :meth:`decorate` (select_related, prefetches,
    annotations) so that a list runs a constant number of queries. Rows of a model with personal
    fields are annotated with whether the user may see them (metodist.core.fields).
    """

    model: Any = None
    capability: str | None = None  # default: the model queryset's capability
    permission_classes = [IsAuthenticated, ChangeRightForWrites]
    pagination_class = ApiPagination
    schema = ScopedAutoSchema()

    @property
    def scope_capability(self) -> str | None:
        if self.capability:
            return self.capability
        return scoped_queryset(self.model).capability if self.model is not None else None

    @property
    def scope_action(self) -> str:
        return Action.VIEW if self.request.method in SAFE_METHODS else Action.CHANGE

    def decorate(self, queryset: ScopedQuerySet) -> ScopedQuerySet:
        return queryset

    def get_queryset(self) -> ScopedQuerySet:
        queryset = scoped_queryset(self.model).visible_to(self.request.user, self.scope_action, self.capability)
        # Writes fetch the object only to change it; the response reads it again through saved().
        if self.request.method not in SAFE_METHODS:
            return queryset
        return self._with_field_access(self.decorate(queryset))

    def _with_field_access(self, queryset: ScopedQuerySet) -> ScopedQuerySet:
        if personal_fields(self.model):
            queryset = with_personal_access(queryset, self.request.user)
        return queryset

    def get_object(self) -> Any:
        try:
            return super().get_object()
        except Http404:
            # Out of scope and non-existent look the same; Django's message would name the model in English.
            raise NotFound(NOT_FOUND) from None

    def saved(self, instance: Any) -> Any:
        """The object just written, read again with the annotations and prefetches its serializer shows."""
        return self._with_field_access(self.decorate(scoped_queryset(self.model).filter(pk=instance.pk))).get()


if TYPE_CHECKING:
    _ViewSetBase = ScopedViewSet
    _SerializerBase = serializers.Serializer[Any]

    class _CreateBase(mixins.CreateModelMixin, ScopedViewSet): ...
else:
    _ViewSetBase = _CreateBase = _SerializerBase = object


class ScopedCreateMixin(_CreateBase):
    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        with acting_as(self.request), transaction.atomic():
            serializer.save()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        data = self.get_serializer(self.saved(serializer.instance)).data
        return Response(data, status=201, headers=self.get_success_headers(data))


class ScopedUpdateMixin(_ViewSetBase):
    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        with acting_as(self.request), transaction.atomic():
            serializer.save()

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(self.get_serializer(self.saved(serializer.instance)).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)


class ReadViewSet(AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """List and detail; a list over a model with personal fields writes one audit row per request."""


class ReadCreateViewSet(ScopedCreateMixin, mixins.CreateModelMixin, ReadViewSet):
    pass


class ReadWriteViewSet(ScopedUpdateMixin, mixins.UpdateModelMixin, ReadCreateViewSet):
    pass


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField[Any]):
    """A related object looked up in ``Model.objects.visible_to(request.user, action)``."""

    def __init__(
        self,
        *,
        model: type[models.Model],
        not_found: StrOrPromise,
        action: str = Action.CHANGE,
        capability: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.scoped_model = model
        self.action = action
        self.capability = capability
        kwargs.setdefault("queryset", model._default_manager.none())  # the model, for the schema; rows come from below
        kwargs["error_messages"] = {"does_not_exist": not_found, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def get_queryset(self) -> ScopedQuerySet:
        return scoped_queryset(self.scoped_model).visible_to(request_user(self), self.action, self.capability)


class FieldSetsSerializerMixin(_SerializerBase):
    """Serialize only the public card of rows whose personal data the requesting user may not see."""

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        user = request_user(self)
        model = type(instance)
        if personal_fields(model) and not can_view_personal(user, instance):
            return public_only(data, model)
        return data
