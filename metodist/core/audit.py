"""Audit of personal data: who viewed it and who exported it (changes are logged by django-auditlog).

Pages and API endpoints that show one person's data call :func:`record_view`; exports call
:func:`record_export`. The administrator reads both, with the change log, on the audit page.
"""

from __future__ import annotations

from auditlog.context import set_actor
from auditlog.signals import accessed
from django.db import models

from .models import DataExport
from .net import client_address


def record_view(request, instance: models.Model) -> None:
    """Log that ``request.user`` viewed ``instance`` (an auditlog ACCESS entry)."""
    with set_actor(request.user, remote_addr=client_address(request)):
        accessed.send(instance.__class__, instance=instance)


def record_export(request, *, what: str, file_format: str, row_count: int, query: str = "") -> DataExport:
    """Log that ``request.user`` downloaded ``row_count`` rows of ``what``."""
    return DataExport.objects.create(
        user=request.user,
        what=what,
        file_format=file_format,
        row_count=row_count,
        query=query[:2000],
        remote_addr=client_address(request),
    )


def acting_as(request):
    """Context manager: changes made inside are attributed to ``request.user`` (API requests)."""
    return set_actor(request.user, remote_addr=client_address(request))
