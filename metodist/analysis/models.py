"""The analysis of student results by ФИОКО's method: thresholds and reference figures.

The figures themselves (success rates, marks, flags) are never stored here: they are computed from
the assessments app's per class × task aggregates (``assessments.TaskAggregate``) and per-student rows
every time a page asks (:mod:`metodist.analysis.figures`). What is stored is what a methodologist sets
or loads: the thresholds (:class:`AnalysisThresholds`) and the region's and Russia's figures from the
ФИС ОКО statistics exports (:class:`ReferenceSet`, :class:`ReferenceTaskRate`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from metodist.core.models import BaseModel

from .choices import ReferenceLevel, ReferenceSource
from .querysets import AnalysisThresholdsQuerySet, ReferenceSetQuerySet

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _percent(label: StrOrPromise, default: str, help_text: StrOrPromise = "") -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(
        label, max_digits=5, decimal_places=2, default=Decimal(default), validators=PERCENT, help_text=help_text
    )


class AnalysisThresholds(BaseModel):
    """Пороги анализа: ФИОКО's recommended levels, the group sizes, the flag rules — per territory or global.

    The row of a municipality wins over its region's, the region's over the global row (``territory``
    empty), and the global row over the defaults written here (:func:`default_thresholds`). Every analysis page
    names the thresholds it used and where they came from.
    """

    territory = models.OneToOneField(
        "registry.Territory",
        verbose_name=_("территория"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="analysis_thresholds",
        help_text=_("Пусто — общие пороги для всех территорий."),
    )
    # Mastery of a task (уровень выполнения): basic tasks and advanced/high tasks.
    basic_sufficient = _percent(_("базовый уровень: достаточно от, %"), "60")
    basic_uncertain = _percent(_("базовый уровень: неустойчиво от, %"), "57")
    advanced_sufficient = _percent(_("повышенный и высокий уровень: достаточно от, %"), "30")
    advanced_uncertain = _percent(_("повышенный и высокий уровень: неустойчиво от, %"), "28.5")
    # Group sizes.
    min_group = models.PositiveSmallIntegerField(
        _("группа информативна от, участников"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("Меньшие группы — «не информативно» для группового анализа и признаков."),
    )
    min_distribution = models.PositiveSmallIntegerField(
        _("распределение баллов полноценно от, участников"),
        default=20,
        validators=[MinValueValidator(1)],
        help_text=_("Меньшие группы — «ограниченно»: пики на границах отметок не ищутся."),
    )
    # Objectivity markers (признаки необъективности).
    above_region_gap = _percent(
        _("выше региона на, п. п."), "15", _("Средний процент выполнения школы выше регионального на столько.")
    )
    inversion_gap = _percent(
        _("сложные задания лучше региона на, п. п."),
        "5",
        _("Базовые задания выполнены хуже региона, а повышенные и высокие — лучше на столько."),
    )
    journal_mismatch_share = _percent(
        _("несоответствие журналу от, % участников"),
        "50",
        _("Доля участников, чья отметка не совпала с отметкой по журналу (понизили + повысили)."),
    )
    peak_ratio = models.DecimalField(
        _("пик на границе: во столько раз больше"),
        max_digits=4,
        decimal_places=2,
        default=Decimal(2),
        validators=[MinValueValidator(Decimal(1))],
        help_text=_("Участников с минимальным баллом отметки во столько раз больше, чем с баллом на 1 ниже."),
    )
    peak_min_share = _percent(_("пик на границе: не меньше, % участников"), "10")
    # ШНОР by rule (школы с низкими результатами обучения).
    low_results_gap = _percent(
        _("ШНОР: ниже региона на, п. п."), "10", _("Средний процент выполнения ниже регионального на столько.")
    )
    low_results_fail_share = _percent(_("ШНОР: доля отметок «2» от, %"), "30")
    low_results_min_procedures = models.PositiveSmallIntegerField(
        _("ШНОР: в скольких процедурах года"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("Школа попадает в список, если условие выполнено в стольких процедурах учебного года."),
    )
    note = models.CharField(_("основание"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("изменил(а)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AnalysisThresholdsQuerySet.as_manager()

    class Meta:
        verbose_name = _("пороги анализа")
        verbose_name_plural = _("пороги анализа")
        ordering = ["territory__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory"], condition=Q(territory__isnull=True), name="analysis_thresholds_one_global"
            ),
            models.CheckConstraint(
                condition=Q(basic_uncertain__lte=models.F("basic_sufficient")),
                name="analysis_thresholds_basic_order",
                violation_error_message=_("Порог «неустойчиво» не может быть выше порога «достаточно»."),
            ),
            models.CheckConstraint(
                condition=Q(advanced_uncertain__lte=models.F("advanced_sufficient")),
                name="analysis_thresholds_advanced_order",
                violation_error_message=_("Порог «неустойчиво» не может быть выше порога «достаточно»."),
            ),
            models.CheckConstraint(
                condition=Q(min_group__gte=1, min_distribution__gte=1, low_results_min_procedures__gte=1),
                name="analysis_thresholds_positive_sizes",
            ),
        ]

    def __str__(self) -> str:
        return str(self.territory) if self.territory_id else str(_("Общие пороги"))


def default_thresholds() -> AnalysisThresholds:
    """The thresholds when no row is stored: the fields' defaults (an unsaved row)."""
    return AnalysisThresholds()


class ReferenceSet(BaseModel):
    """Эталонные показатели: Russia's, a region's or a municipality's figures for one procedure.

    Loaded from the ФИС ОКО statistics exports («Статистика по отметкам» — shares of marks;
    «Выполнение заданий» — success rate per task) or typed in a form when no file is at hand.
    """

    procedure = models.ForeignKey(
        "assessments.Procedure",
        verbose_name=_("процедура"),
        on_delete=models.CASCADE,
        related_name="reference_sets",
    )
    level = models.CharField(_("уровень"), max_length=16, choices=ReferenceLevel.choices)
    territory = models.ForeignKey(
        "registry.Territory",
        verbose_name=_("территория"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reference_sets",
    )
    group_name = models.CharField(_("группа в файле"), max_length=255, blank=True)
    participants = models.PositiveIntegerField(_("участников"), null=True, blank=True)
    organisations = models.PositiveIntegerField(_("ОО"), null=True, blank=True)
    mark2 = models.DecimalField(_("«2», %"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT)
    mark3 = models.DecimalField(_("«3», %"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT)
    mark4 = models.DecimalField(_("«4», %"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT)
    mark5 = models.DecimalField(_("«5», %"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT)
    source = models.CharField(_("источник"), max_length=8, choices=ReferenceSource.choices)
    source_name = models.CharField(_("файл"), max_length=255, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("загрузил(а)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReferenceSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("эталонные показатели")
        verbose_name_plural = _("эталонные показатели")
        ordering = ["procedure", "level", "territory__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure"], condition=Q(level=ReferenceLevel.RUSSIA), name="analysis_reference_one_russia"
            ),
            models.UniqueConstraint(
                fields=["procedure", "territory"],
                condition=Q(territory__isnull=False),
                name="analysis_reference_one_per_territory",
            ),
            models.CheckConstraint(
                condition=Q(level=ReferenceLevel.RUSSIA, territory__isnull=True)
                | Q(level__in=[ReferenceLevel.REGION, ReferenceLevel.MUNICIPALITY], territory__isnull=False),
                name="analysis_reference_territory_by_level",
            ),
        ]

    def __str__(self) -> str:
        where = self.territory.name if self.territory_id and self.territory else self.get_level_display()
        return f"{self.procedure} — {where}"

    @property
    def marks(self) -> dict[int, Decimal | None]:
        return {2: self.mark2, 3: self.mark3, 4: self.mark4, 5: self.mark5}


class ReferenceTaskRate(models.Model):
    """Процент выполнения одного задания in a reference set (Russia, region, municipality)."""

    reference = models.ForeignKey(ReferenceSet, on_delete=models.CASCADE, related_name="task_rates")
    task = models.ForeignKey("assessments.Task", on_delete=models.CASCADE, related_name="reference_rates")
    rate = models.DecimalField(_("процент выполнения"), max_digits=5, decimal_places=2, validators=PERCENT)

    class Meta:
        verbose_name = _("процент выполнения задания (эталон)")
        verbose_name_plural = _("проценты выполнения заданий (эталон)")
        ordering = ["reference", "task__position"]
        constraints = [
            models.UniqueConstraint(fields=["reference", "task"], name="analysis_reference_rate_unique_task"),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=100), name="analysis_reference_rate_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.rate}"
