"""The dashboard and the administrator's audit page."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import DataExport
from .navigation import dashboard_cards
from .permissions import AUDIT_CAPABILITY, Action
from .scoping import can, roles
from .templatetags.metodist import AUDIT_ACTIONS


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The user's roles and the cards the apps contribute (metodist.core.navigation)."""
    cards, card_context = dashboard_cards(request)
    context = {**card_context, "roles": roles(request.user), "cards": cards}
    return render(request, "core/dashboard.html", context)


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VIEW, AUDIT_CAPABILITY):
        raise PermissionDenied
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    action = request.GET.get("action")
    if action in {"0", "1", "2", "3"}:
        entries = entries.filter(action=int(action))
    actor = request.GET.get("actor", "").strip()
    if actor:
        entries = entries.filter(actor__username__icontains=actor)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    exports = DataExport.objects.select_related("user")[:20]
    return render(
        request,
        "core/audit.html",
        {
            "page": page,
            "exports": exports,
            "action": action or "",
            "actor": actor,
            "actions": [(value, AUDIT_ACTIONS[value]) for value in sorted(AUDIT_ACTIONS)],
        },
    )
