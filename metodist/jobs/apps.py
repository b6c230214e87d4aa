from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "metodist.jobs"
    label = "jobs"
    verbose_name = "Задания"

    def ready(self) -> None:
        # Each app declares the work it runs in the background in its own ``jobs.py`` (see registry.py).
        autodiscover_modules("jobs")
        from . import exports, retention  # noqa: F401 (register the export job kind and the periodic work)
