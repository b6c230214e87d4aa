from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetencesConfig(AppConfig):
    name = "metodist.competences"
    verbose_name = _("Компетенции и дефициты педагогов")

    def ready(self) -> None:
        from metodist.core.scoping import register_permissions

        from . import (
            audit,  # noqa: F401  (registers deficits with django-auditlog)
            contributions,
        )
        from .permissions import CAPABILITY, COMPETENCE_PERMISSIONS, FRAMEWORK_CAPABILITY, FRAMEWORK_PERMISSIONS

        register_permissions(CAPABILITY, COMPETENCE_PERMISSIONS)
        register_permissions(FRAMEWORK_CAPABILITY, FRAMEWORK_PERMISSIONS)
        contributions.register()  # menu items, the dashboard card, the «Дефициты» link of a person's page
