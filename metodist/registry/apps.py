from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "metodist.registry"
    verbose_name = _("База данных педагогических работников")

    def ready(self) -> None:
        from metodist.core.scoping import register_territory_descendants

        from . import audit  # noqa: F401  (registers models with django-auditlog)
        from .querysets import territory_descendants

        register_territory_descendants(territory_descendants)
