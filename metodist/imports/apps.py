from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "metodist.imports"
    verbose_name = _("Загрузка списков")
