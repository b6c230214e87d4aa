"""Roles of Metodist's users and what each may do."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The contract's vocabulary lives in core; imported from here by most of the code.
from metodist.core.permissions import AUDIT_CAPABILITY, Action, ScopeKind

__all__ = ["Action", "Capability", "Role", "ScopeKind", "ROLE_ACTIONS", "ROLE_SCOPE_KIND", "DEFAULT_PERMISSIONS"]


class Role(models.TextChoices):
    ADMIN = "admin", _("Администратор системы")
    METHODOLOGIST = "methodologist", _("Методист ММС")
    OBSERVER = "observer", _("Руководитель / наблюдатель")
    COORDINATOR = "coordinator", _("Координатор ОО")
    TEACHER = "teacher", _("Педагог")
    MENTOR = "mentor", _("Наставник")
    EXPERT = "expert", _("Эксперт")
    ASSOCIATION_HEAD = "association_head", _("Руководитель объединения")


class Capability(models.TextChoices):
    """Parts of the product with their own permissions (metodist.core.scoping.register_permissions).

    Capabilities that arrive later (routes, assessments …) register theirs from their AppConfig.ready().
    """

    REGISTRY = "registry", _("Реестр педагогов и организаций")
    ACCOUNTS = "accounts", _("Пользователи и роли")
    IMPORTS = "imports", _("Загрузка списков")
    AUDIT = AUDIT_CAPABILITY, _("Журнал аудита")


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

_ALL = frozenset({Action.VIEW, Action.VIEW_PERSONAL, Action.CHANGE, Action.EXPORT, Action.IMPORT})
_READ = frozenset({Action.VIEW, Action.VIEW_PERSONAL, Action.EXPORT})
# Own profile: the role's holder sees their own card with personal data. What a mentor, expert or
# association head reaches through a relation (mentees, assigned items, members) is the public card
# only: relation scopes grant VIEW, never VIEW_PERSONAL (metodist.core.scoping.register_relation_scope).
_OWN = frozenset({Action.VIEW, Action.VIEW_PERSONAL})

# What each role may do with registry data inside its scope.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: _ALL,
    Role.METHODOLOGIST: _ALL,
    Role.OBSERVER: _READ,
    Role.COORDINATOR: _ALL,
    Role.TEACHER: _OWN,
    Role.MENTOR: _OWN,
    Role.EXPERT: _OWN,
    Role.ASSOCIATION_HEAD: _OWN,
}

# The permissions of the capabilities that exist today, per role (registered by metodist.core.scoping).
# User management: a methodologist manages the accounts of their territory, a coordinator the teacher
# accounts of their organisation, an administrator all.
# Imports: who may upload lists into their scope.
DEFAULT_PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    Capability.REGISTRY: ROLE_ACTIONS,
    Capability.ACCOUNTS: {
        Role.ADMIN: frozenset({Action.VIEW, Action.CHANGE}),
        Role.METHODOLOGIST: frozenset({Action.VIEW, Action.CHANGE}),
        # a coordinator gives teacher accounts to their organisation's staff (metodist.accounts.permissions)
        Role.COORDINATOR: frozenset({Action.VIEW, Action.CHANGE}),
    },
    Capability.IMPORTS: {
        Role.ADMIN: frozenset({Action.VIEW, Action.IMPORT}),
        Role.METHODOLOGIST: frozenset({Action.VIEW, Action.IMPORT}),
        Role.COORDINATOR: frozenset({Action.VIEW, Action.IMPORT}),
    },
    # the administrator's audit pages (core)
    Capability.AUDIT: {Role.ADMIN: frozenset({Action.VIEW})},
}
