"""Columns of the diagnostics exports (metodist.core.exports)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metodist.core.exports import Column

RESULT_COLUMNS = [
    Column(_("Педагог"), lambda r: r.person.full_name, 34),
    Column(_("Организация"), lambda r: r.organisation.short_name, 30),
    Column(_("Код показателя"), lambda r: r.node.code, 16),
    Column(_("Показатель"), lambda r: r.node.title, 50),
    Column(_("Метод"), lambda r: r.get_method_display(), 22),
    Column(_("Уровень"), lambda r: r.level, 10),
    Column(_("Порог освоения"), lambda r: r.threshold, 10),
    Column(_("Ниже порога"), lambda r: r.is_below, 10),
    Column(_("Дефицит"), lambda r: r.deficit.get_state_display() if r.deficit_id else "", 14),
    Column(_("Дата"), lambda r: r.measured_on, 12),
    Column(_("Кто внёс"), lambda r: str(r.author) if r.author_id else "", 24),
    Column(_("Источник"), lambda r: r.source_label, 40),
    Column(_("Основания"), lambda r: r.evidence, 60),
    Column(_("Записано"), lambda r: timezone.localtime(r.created_at), 18),
]
