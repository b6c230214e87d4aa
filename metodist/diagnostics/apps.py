from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosticsConfig(AppConfig):
    name = "metodist.diagnostics"
    verbose_name = _("Диагностика профессиональных дефицитов")
