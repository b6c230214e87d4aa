from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "metodist.imports"
    verbose_name = _("Загрузка списков")

    def ready(self) -> None:
        from metodist.accounts.choices import Action
        from metodist.core.navigation import register_menu_item
        from metodist.core.scoping import can

        register_menu_item(
            "imports.upload",
            label=_("Загрузка списков"),
            url="imports:upload",
            visible=lambda user: can(user, Action.IMPORT),
            order=50,
            active_prefix="/imports",
        )
