"""Roles of Metodist's users and what each may do."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Администратор системы")
    METHODOLOGIST = "methodologist", _("Методист ММС")
    OBSERVER = "observer", _("Руководитель / наблюдатель")
    COORDINATOR = "coordinator", _("Координатор ОО")
    TEACHER = "teacher", _("Педагог")
    MENTOR = "mentor", _("Наставник")
    EXPERT = "expert", _("Эксперт")
    ASSOCIATION_HEAD = "association_head", _("Руководитель объединения")


class ScopeKind(models.TextChoices):
    GLOBAL = "global", _("Вся система")
    TERRITORY = "territory", _("Территория (регион или муниципалитет)")
    ORGANISATION = "organisation", _("Организация")
    SELF = "self", _("Свой профиль")


class Action(models.TextChoices):
    VIEW = "view", _("Просмотр")
    CHANGE = "change", _("Изменение")
    EXPORT = "export", _("Выгрузка")
    IMPORT = "import", _("Загрузка")


# The kind of scope each role is bound to. Mentor, expert and association head see their own profile
# until the mentoring, practices and communities capabilities give them their own objects.
ROLE_SCOPE_KIND: dict[str, str] = {
    Role.ADMIN: ScopeKind.GLOBAL,
    Role.METHODOLOGIST: ScopeKind.TERRITORY,
    Role.OBSERVER: ScopeKind.TERRITORY,
    Role.COORDINATOR: ScopeKind.ORGANISATION,
    Role.TEACHER: ScopeKind.SELF,
    Role.MENTOR: ScopeKind.SELF,
    Role.EXPERT: ScopeKind.SELF,
    Role.ASSOCIATION_HEAD: ScopeKind.SELF,
}

_ALL = frozenset(Action.values)
_READ = frozenset({Action.VIEW, Action.EXPORT})

# What each role may do with registry data inside its scope.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: _ALL,
    Role.METHODOLOGIST: _ALL,
    Role.OBSERVER: _READ,
    Role.COORDINATOR: _ALL,
    Role.TEACHER: frozenset({Action.VIEW}),
    Role.MENTOR: frozenset({Action.VIEW}),
    Role.EXPERT: frozenset({Action.VIEW}),
    Role.ASSOCIATION_HEAD: frozenset({Action.VIEW}),
}
