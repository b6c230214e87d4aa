"""Columns of the deficits export (XLSX and CSV share them)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from metodist.core.exports import Column

from .choices import CompetenceArea

_AREA_LABELS = dict(CompetenceArea.choices)


def _areas(deficit: Any) -> str:
    return ", ".join(str(_AREA_LABELS[a]) for a in getattr(deficit, "export_areas", []))


def _who(user: Any) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


# Rows: TeacherDeficit with person, node, framework, organisation, subject and deciders joined, and
# ``export_areas`` (effective areas) set by the view.
DEFICIT_COLUMNS: list[Column] = [
    Column(_("Педагог"), lambda d: d.person.full_name, 30),
    Column(_("Организация"), lambda d: d.organisation.short_name, 30),
    Column(_("Предмет"), lambda d: str(d.subject or d.node.framework.subject or ""), 18),
    Column(_("Рамка"), lambda d: d.node.framework.name, 24),
    Column(_("Код"), lambda d: d.node.code, 14),
    Column(_("Показатель"), lambda d: d.node.title, 60),
    Column(_("Области компетенций"), _areas, 24),
    Column(_("Источник"), lambda d: d.get_source_display(), 20),
    Column(_("Источник (подробно)"), lambda d: d.source_label, 30),
    Column(_("Основания"), lambda d: d.evidence, 40),
    Column(_("Уровень"), lambda d: d.level, 8),
    Column(_("Учебный год"), lambda d: f"{d.academic_year}/{(d.academic_year + 1) % 100:02d}", 10),
    Column(_("Учитель прошлого года"), lambda d: d.previous_year_teacher, 10),
    Column(_("Состояние"), lambda d: d.get_state_display(), 14),
    Column(_("Выявлен"), lambda d: d.created_at.date(), 12),
    Column(_("Решение принял(а)"), lambda d: _who(d.decided_by), 24),
    Column(_("Дата решения"), lambda d: d.decided_at.date() if d.decided_at else None, 12),
    Column(_("Комментарий к решению"), lambda d: d.decision_note, 40),
    Column(_("Основание решения"), lambda d: d.decision_ref, 24),
    Column(_("Преодолён"), lambda d: d.closed_at.date() if d.closed_at else None, 12),
]
