from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "metodist.analysis"
    verbose_name = _("Анализ результатов и дефициты обучающихся")
