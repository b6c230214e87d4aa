"""Navigation: only the capabilities that exist and that the user's roles open."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from metodist.accounts.choices import Action
from metodist.accounts.roles import is_administrator, roles_of

from .scoping import can, scope_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    items = [(_("Обзор"), reverse("core:dashboard"), path == "/")]
    scope = scope_for(user)
    only_self = not (scope.is_global or scope.territory_ids or scope.organisation_ids)
    if only_self and user.person_id:
        url = reverse("registry:person_detail", args=[user.person_id])
        items.append((_("Мой профиль"), url, path == url))
    elif not scope.is_empty:
        items.append((_("Педагоги"), reverse("registry:person_list"), path.startswith("/registry/people")))
        items.append(
            (_("Организации"), reverse("registry:organisation_list"), path.startswith("/registry/organisations"))
        )
    if can(user, Action.IMPORT):
        items.append((_("Загрузка списков"), reverse("imports:upload"), path.startswith("/imports")))
    if is_administrator(user):
        items.append((_("Аудит"), reverse("core:audit"), path.startswith("/audit")))
    items.append((_("API"), reverse("api:docs"), path.startswith("/api")))
    return {
        "nav_items": [{"label": label, "url": url, "active": active} for label, url, active in items],
        "user_roles": [str(a).split(": ", 1)[-1] for a in roles_of(user)],
    }
