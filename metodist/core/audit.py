"""Audit of personal data: who viewed it and who exported it (changes are logged by django-auditlog).

Pages and API endpoints that show one person's data call :func:`record_view`; exports go through
:func:`metodist.core.exports.export_response`, which writes a :class:`DataExport` row as STARTED and
marks it DONE only when the file was produced (FAILED otherwise); API lists over personal data use
:class:`AuditedListMixin` (one row per request with the ids read). The administrator reads all of it,
with the change log, on the audit page. The address is :func:`metodist.core.net.client_address`, never a
client-supplied ``X-Forwarded-For``.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Any

from auditlog.context import set_actor
from auditlog.signals import accessed
from django.db import models
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.response import Response

from .fields import personal_fields
from .models import DataExport
from .net import client_address


def record_view(request: HttpRequest, instance: models.Model) -> None:
    """Log that ``request.user`` viewed ``instance`` (an auditlog ACCESS entry)."""
    with set_actor(request.user, remote_addr=client_address(request)):
        accessed.send(instance.__class__, instance=instance)


def request_query(request: HttpRequest, *, drop: tuple[str, ...] = ("format", "page")) -> str:
    """The filters of ``request`` as a query string, without the parameters that only shape the answer."""
    query = request.GET.copy()
    for name in drop:
        query.pop(name, None)
    return str(query.urlencode())


def record_export(
    request: HttpRequest,
    *,
    what: str,
    file_format: str,
    row_count: int,
    query: str = "",
    outcome: str = DataExport.Outcome.DONE,
    object_ids: Iterable[Any] = (),
) -> DataExport:
    """Log that ``request.user`` downloaded (or, while ``outcome`` is STARTED, is downloading) ``what``."""
    return DataExport.objects.create(
        user=request.user,  # type: ignore[misc]  # exports and API lists require a logged-in user
        what=str(what)[:255],
        file_format=file_format,
        row_count=row_count,
        query=query[:2000],
        remote_addr=client_address(request),
        outcome=outcome,
        object_ids=list(object_ids),
    )


def export_finished(entry: DataExport, *, row_count: int) -> None:
    """The export of ``entry`` produced its last row: DONE, with the number of rows actually written."""
    entry.outcome = DataExport.Outcome.DONE
    entry.row_count = row_count
    entry.save(update_fields=["outcome", "row_count"])


def export_failed(entry: DataExport, *, row_count: int | None = None) -> None:
    """The export of ``entry`` broke off (an error, or the client went away): FAILED."""
    entry.outcome = DataExport.Outcome.FAILED
    fields = ["outcome"]
    if row_count is not None:
        entry.row_count = row_count
        fields.append("row_count")
    entry.save(update_fields=fields)


class AuditedListMixin:
    """For API list endpoints over personal data: one :class:`DataExport` row (``api``) per successful request.

    The row says who read, which endpoint with which filters, how many rows and which ids (the page
    actually returned). Put it before the DRF list mixin in the bases of a viewset.
    """

    audit_what: str = ""
    audit_list_reads: bool | None = None  # None: audit when the model declares personal fields (core.fields)
    _audited_page: list[Any] | None = None

    def _audits_list_reads(self) -> bool:
        if self.audit_list_reads is not None:
            return self.audit_list_reads
        model = getattr(self, "model", None)
        return model is not None and bool(personal_fields(model))

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        page = super().paginate_queryset(queryset)  # type: ignore[misc]
        self._audited_page = page
        return page  # type: ignore[no-any-return]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._audited_page = None
        response = super().list(request, *args, **kwargs)  # type: ignore[misc]
        if 200 <= response.status_code < 300 and self._audits_list_reads():
            if self._audited_page is not None:
                ids = [row.pk for row in self._audited_page]
            else:  # not paginated: the ids of what was serialised
                ids = [item.get("id") for item in response.data if isinstance(item, dict)]
            what = self.audit_what or self.model._meta.verbose_name_plural  # type: ignore[attr-defined]
            record_export(
                request,
                what=f"{what} (API {request.path})",
                file_format="api",
                row_count=len(ids),
                query=request_query(request, drop=()),
                object_ids=ids,
            )
        return response  # type: ignore[no-any-return]


def acting_as(request: HttpRequest) -> AbstractContextManager[None]:
    """Context manager: changes made inside are attributed to ``request.user`` (API requests)."""
    return set_actor(request.user, remote_addr=client_address(request))  # type: ignore[no-any-return]
