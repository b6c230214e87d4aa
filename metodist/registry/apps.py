from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "metodist.registry"
    verbose_name = _("База данных педагогических работников")

    def ready(self) -> None:
        from metodist.core.counts import register_versioned_tables
        from metodist.core.scoping import register_territory_descendants

        from . import (
            audit,  # noqa: F401  (registers models with django-auditlog)
            contributions,
            visibility,
        )
        from .querysets import VERSIONED_TABLES, territory_descendants

        register_territory_descendants(territory_descendants)
        register_versioned_tables(VERSIONED_TABLES)
        visibility.register()  # the person's public card and personal data
        contributions.register()  # menu items and dashboard cards
