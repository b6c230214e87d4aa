from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "metodist.analysis"
    verbose_name = _("Анализ результатов и дефициты обучающихся")

    def ready(self) -> None:
        from metodist.core.scoping import register_permissions

        from . import contributions
        from .permissions import ANALYSIS_PERMISSIONS, CAPABILITY

        register_permissions(CAPABILITY, ANALYSIS_PERMISSIONS)
        contributions.register()
