"""Choices of the analysis of student results (анализ результатов по методике ФИОКО)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceLevel(models.TextChoices):
    """Whose figures a reference set holds: Russia («Вся выборка»), a region or a municipality."""

    RUSSIA = "russia", _("Россия (вся выборка)")
    REGION = "region", _("Регион")
    MUNICIPALITY = "municipality", _("Муниципалитет")


class ReferenceSource(models.TextChoices):
    FILE = "file", _("файл ФИС ОКО")
    MANUAL = "manual", _("введено вручную")


class Mastery(models.TextChoices):
    """Уровень выполнения задания группой against the thresholds (достаточный / неустойчивый / недостаточный)."""

    SUFFICIENT = "sufficient", _("достаточно")
    UNCERTAIN = "uncertain", _("неустойчиво")
    INSUFFICIENT = "insufficient", _("недостаточно")


class JournalComparison(models.TextChoices):
    """ВПР mark against the journal mark: «понизили / подтвердили / повысили»."""

    LOWER = "lower", _("понизили (отметка ниже, чем по журналу)")
    SAME = "same", _("подтвердили (отметка равна отметке по журналу)")
    HIGHER = "higher", _("повысили (отметка выше, чем по журналу)")


class FlagKind(models.TextChoices):
    """Признаки, on which a school is flagged; each flag is shown with its reasons."""

    ABOVE_REGION = "above_region", _("результаты намного выше региона (не гимназия и не лицей)")
    INVERSION = "inversion", _("базовые задания хуже региона, сложные — лучше")
    JOURNAL_MISMATCH = "journal_mismatch", _("несоответствие отметкам по журналу")
    BOUNDARY_PEAKS = "boundary_peaks", _("пики на границах отметок")
    LOW_RESULTS = "low_results", _("низкие результаты (ШНОР по правилу)")


class ChainOutcome(models.TextChoices):
    """What the chain «дефициты класса → дефициты учителя» found for one class's results."""

    PROPOSED = "proposed", _("дефициты предложены учителям")
    NOT_INFORMATIVE = "not_informative", _("не информативно: группа меньше порога, дефициты не предлагаются")
    NO_WEAK_TASKS = "no_weak_tasks", _("заданий, выполненных на недостаточном уровне, нет")
    NO_COMPETENCES = (
        "no_competences",
        _("у слабых заданий не указаны компетенции педагога (или их коды не найдены в действующих рамках)"),
    )
    NO_CLASS = "no_class", _("результаты не сопоставлены с классом реестра: учитель не определён")
    NO_TEACHER = "no_teacher", _("в реестре нет учителя этого класса по предмету процедуры")
