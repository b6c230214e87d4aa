"""The dashboard and the administrator's audit page."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from metodist.accounts.roles import is_administrator, roles_of
from metodist.registry import selectors as registry_selectors
from metodist.registry.models import Person

from .models import DataExport
from .scoping import scope_for
from .templatetags.metodist import AUDIT_ACTIONS


@login_required
def dashboard(request):
    scope = scope_for(request.user)
    only_self = not (scope.is_global or scope.territory_ids or scope.organisation_ids)
    context = {"roles": roles_of(request.user), "only_self": only_self}
    if only_self:
        person = Person.objects.visible_to(request.user).filter(pk=request.user.person_id).first()
        context["person"] = person
        if person:
            context.update(registry_selectors.person_detail_related(request.user, person))
    else:
        context["summary"] = registry_selectors.registry_summary(request.user)
    return render(request, "core/dashboard.html", context)


@login_required
def audit(request):
    if not is_administrator(request.user):
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
