from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "metodist.accounts"
    verbose_name = _("Пользователи и роли")

    def ready(self) -> None:
        from metodist.core.navigation import register_menu_item

        from .permissions import can_manage_accounts

        register_menu_item(
            "accounts.users",
            label=_("Пользователи"),
            url="accounts:user_list",
            visible=can_manage_accounts,
            order=80,
            active_prefix="/accounts/users/",
        )
