"""``manage.py competences_load_standard`` — load the professional standard «Педагог» shipped with Metodist."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from metodist.competences.standard import load_professional_standard


class Command(BaseCommand):
    help = "Загрузить профессиональный стандарт «Педагог» (приказ Минтруда № 544н) как рамку компетенций."

    def handle(self, *args: Any, **options: Any) -> None:
        framework = load_professional_standard()
        self.stdout.write(f"{framework}: {framework.nodes.count()} элементов")
