"""What the competences app contributes to core's menu, dashboard and the person's page."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from metodist.core.navigation import register_dashboard_card, register_menu_item, register_object_link
from metodist.core.permissions import Action
from metodist.core.scoping import can, scope_for

from .permissions import CAPABILITY


def _reaches_places(user: Any) -> bool:
    scope = scope_for(user, Action.VIEW, CAPABILITY)
    return not scope.is_empty and not scope.only_self


def _own_deficits_url(user: Any) -> str | None:
    if _reaches_places(user) or not getattr(user, "person_id", None) or not can(user, Action.VIEW, CAPABILITY):
        return None
    return reverse("competences:person_deficits", args=[user.person_id])


def _person_deficits_url(user: Any, person: Any) -> str | None:
    """The «Дефициты» button of a person's page: for whoever may read deficits (the page itself is scoped)."""
    if not can(user, Action.VIEW, CAPABILITY):
        return None
    return reverse("competences:person_deficits", args=[person.pk])


def _deficit_summary(request: HttpRequest) -> dict[str, Any] | None:
    from .choices import DeficitState
    from .models import TeacherDeficit

    user = request.user
    if not _reaches_places(user):
        return None
    states = dict(
        TeacherDeficit.objects.visible_to(user)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {
        "deficit_summary": {
            "proposed": states.get(DeficitState.PROPOSED, 0),
            "confirmed": states.get(DeficitState.CONFIRMED, 0),
            "closed": states.get(DeficitState.CLOSED, 0),
        }
    }


def register() -> None:
    # One item per role (the menu is shared by every app): the frameworks are reached from the deficits pages.
    register_menu_item("competences.own", label=_("Мои дефициты"), url=_own_deficits_url, order=15)
    register_menu_item(
        "competences.deficits",
        label=_("Дефициты педагогов"),
        url="competences:deficit_list",
        visible=_reaches_places,
        order=60,
        active_prefix="/competences/deficits",
        section="chain",
    )
    register_object_link(
        "competences.person_deficits",
        model="registry.person",
        label=_("Дефициты"),
        url=_person_deficits_url,
        icon="bi-clipboard-pulse",
        order=20,
    )
    register_dashboard_card(
        "competences.deficits", template="competences/dashboard/deficits.html", context=_deficit_summary, order=40
    )
