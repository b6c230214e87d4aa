from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "metodist.core"
    verbose_name = _("Ядро")

    def ready(self) -> None:
        from . import (
            context_processors,  # noqa: F401  (registers core's menu items and sections)
            sqlite,
        )

        sqlite.install()
