"""List and export helpers shared by every app's list pages (function views only orchestrate).

``list_context`` paginates a django-tables2 table and says which buttons the user's rights open;
``export_response`` streams the same filtered rows as CSV or XLSX, records the export (152-ФЗ) and
answers 400 to an unknown format or an invalid filter value — never the unfiltered rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy
from django_filters import FilterSet
from django_tables2 import RequestConfig, Table

from .counts import CachedCountPaginator
from .exports import FORMATS, Column, audited_export
from .permissions import DEFAULT_CAPABILITY, Action
from .scoping import can

PER_PAGE = 25
EXPORT_CHUNK = 2000

UNKNOWN_EXPORT_FORMAT = gettext_lazy("Неизвестный формат выгрузки.")
INVALID_EXPORT_FILTER = gettext_lazy("Неверное значение фильтра: %(fields)s. Исправьте фильтр на странице списка.")


def list_context(
    request: HttpRequest,
    filterset: FilterSet,
    table: Table,
    *,
    capability: str = DEFAULT_CAPABILITY,
    per_page: int = PER_PAGE,
) -> dict[str, Any]:
    """Context of a list page: the filter, the paginated table, the query string and the rights."""
    # The total comes from the count cache while the listed tables are unchanged (metodist.core.counts).
    RequestConfig(request, paginate={"per_page": per_page, "paginator_class": CachedCountPaginator}).configure(table)
    query = request.GET.copy()
    query.pop("page", None)
    user = request.user
    return {
        "filter": filterset,
        "table": table,
        "query": query.urlencode(),
        "can_change": can(user, Action.CHANGE, capability),
        "can_export": can(user, Action.EXPORT, capability),
        "can_import": can(user, Action.IMPORT, capability),
    }


def export_response(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    columns: list[Column],
    stem: str,
    what: str,
    rows: Iterable[Any] | None = None,
    filterset: FilterSet | None = None,
) -> HttpResponseBase:
    """CSV or XLSX of ``queryset`` (or of ``rows`` built from it), recorded as an export."""
    file_format = request.GET.get("format", "xlsx")
    if file_format not in FORMATS:
        return HttpResponseBadRequest(UNKNOWN_EXPORT_FORMAT)
    if filterset is not None and filterset.is_bound and not filterset.is_valid():
        fields = ", ".join(
            str(filterset.form.fields[name].label) for name in filterset.form.errors if name in filterset.form.fields
        )
        return HttpResponseBadRequest(INVALID_EXPORT_FILTER % {"fields": fields})
    if rows is None:
        rows = queryset.iterator(chunk_size=EXPORT_CHUNK)
    # The audit row is STARTED now and becomes DONE only when the file is complete (FAILED otherwise).
    return audited_export(
        request, rows, columns, file_format=file_format, stem=stem, what=what, row_count=queryset.count()
    )
