"""Search-as-you-type options for large scoped selects (the organisation filter of the people list).

A region has a thousand organisations: listing them all in every page's filter was 52 KiB of HTML. The
filter renders only the chosen organisation (``core.widgets.AutocompleteSelect``) and the browser asks
:func:`organisation_autocomplete` for the organisations matching what the user types — only those the
user may see (``visible_to``), at most :data:`LIMIT`, optionally within the chosen municipality.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .models import Organisation

LIMIT = 20


def organisation_options(user, *, text: str = "", territory: str = "", limit: int = LIMIT) -> list[dict]:
    """Organisations ``user`` may see whose name (or ИНН) contains ``text``, as ``{"id", "text"}``."""
    organisations = Organisation.objects.visible_to(user)
    text = text.strip()
    if text:
        organisations = organisations.filter(Q(short_name__icontains=text) | Q(full_name__icontains=text) | Q(inn=text))
    if territory.isdigit():
        organisations = organisations.filter(territory_id=int(territory))
    rows = organisations.order_by("short_name", "id").values_list("id", "short_name")[:limit]
    return [{"id": pk, "text": name} for pk, name in rows]


@login_required
@require_GET
def organisation_autocomplete(request):
    """``?q=школа&territory=5`` → ``{"results": [{"id": 1, "text": "МБОУ СОШ № 1"}, …]}``."""
    results = organisation_options(
        request.user, text=request.GET.get("q", "")[:100], territory=request.GET.get("territory", "")
    )
    return JsonResponse({"results": results})
