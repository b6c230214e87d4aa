"""What the registry contributes to core's menu and dashboard (metodist.core.navigation)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from metodist.core.navigation import register_dashboard_card, register_menu_item
from metodist.core.permissions import Action
from metodist.core.scoping import can, scope_for


def _reaches_places(user) -> bool:
    """A user whose scope covers territories or organisations (not only their own profile)."""
    scope = scope_for(user)
    return not scope.only_self


def _own_profile_url(user) -> str | None:
    if _reaches_places(user) or not user.person_id:
        return None
    return reverse("registry:person_detail", args=[user.person_id])


def _match_requests_url(user) -> str | None:
    if not (_reaches_places(user) and can(user, Action.CHANGE)):
        return None
    try:
        return reverse("registry:match_request_list")
    except NoReverseMatch:  # the confirmation queue arrives with the person-matching flow
        return None


def _summary(request) -> dict | None:
    from . import selectors

    if not _reaches_places(request.user):
        return None
    return {"summary": selectors.registry_summary(request.user)}


def _own_profile(request) -> dict | None:
    from . import selectors
    from .models import Person

    user = request.user
    if _reaches_places(user):
        return None
    person = Person.objects.visible_to(user).filter(pk=user.person_id).first() if user.person_id else None
    context = {"person": person}
    if person:
        context.update(selectors.person_detail_related(user, person))
    return context


def register() -> None:
    register_menu_item("registry.profile", label=_("Мой профиль"), url=_own_profile_url, order=10)
    register_menu_item(
        "registry.people",
        label=_("Педагоги"),
        url="registry:person_list",
        visible=_reaches_places,
        order=20,
        active_prefix="/registry/people",
    )
    register_menu_item(
        "registry.organisations",
        label=_("Организации"),
        url="registry:organisation_list",
        visible=_reaches_places,
        order=30,
        active_prefix="/registry/organisations",
    )
    register_menu_item(
        "registry.match_requests",
        label=_("Заявки на подтверждение"),
        url=_match_requests_url,
        order=40,
    )
    register_dashboard_card("registry.summary", template="registry/dashboard/summary.html", context=_summary, order=10)
    register_dashboard_card(
        "registry.own_profile", template="registry/dashboard/own_profile.html", context=_own_profile, order=10
    )
