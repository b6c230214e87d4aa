from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "metodist.assessments"
    verbose_name = _("Оценочные процедуры и результаты обучающихся")

    def ready(self) -> None:
        from metodist.core.scoping import register_permissions

        from .permissions import ASSESSMENT_PERMISSIONS, CAPABILITY

        register_permissions(CAPABILITY, ASSESSMENT_PERMISSIONS)

        from . import contributions

        contributions.register()
