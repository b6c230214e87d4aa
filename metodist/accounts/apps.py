from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "metodist.accounts"
    verbose_name = _("Пользователи и роли")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from metodist.core.scoping import register_permissions, register_role_source

        from .choices import DEFAULT_PERMISSIONS
        from .roles import roles_of

        # The permission contract (metodist.core.scoping) reads assignments and tables from here.
        register_role_source(roles_of)
        for capability, table in DEFAULT_PERMISSIONS.items():
            register_permissions(capability, table)

        from metodist.core.navigation import register_menu_item

        from .models import ApiToken, RoleAssignment, User
        from .permissions import can_manage_accounts

        # Who created, blocked or changed an account, gave or took a role, issued an API token: in the audit.
        auditlog.register(User, include_fields=["username", "email", "first_name", "last_name", "is_active", "person"])
        auditlog.register(RoleAssignment, include_fields=["user", "role", "territory", "organisation"])
        auditlog.register(ApiToken, include_fields=["user", "prefix", "expires_at"])

        register_menu_item(
            "accounts.users",
            label=_("Пользователи"),
            url="accounts:user_list",
            visible=can_manage_accounts,
            order=80,
            active_prefix="/accounts/users/",
            section="admin",
        )
