from django.db import models
from django.utils.translation import gettext_lazy as _


class FrameworkKind(models.TextChoices):
    PROFESSIONAL_STANDARD = "professional_standard", _("профессиональный стандарт")
    SUBJECT_METHODOLOGICAL = "subject_methodological", _("предметно-методические показатели")
    OTHER = "other", _("другая рамка")


class NodeKind(models.TextChoices):
    GENERALISED_FUNCTION = "generalised_function", _("обобщённая трудовая функция")
    LABOUR_FUNCTION = "labour_function", _("трудовая функция")
    LABOUR_ACTION = "labour_action", _("трудовое действие")
    SKILL = "skill", _("необходимое умение")
    KNOWLEDGE = "knowledge", _("необходимое знание")
    GROUP = "group", _("раздел")
    INDICATOR = "indicator", _("показатель")


class CompetenceArea(models.TextChoices):
    SUBJECT = "subject", _("предметная")
    METHODOLOGICAL = "methodological", _("методическая")
    PSYCHOLOGICAL = "psychological", _("психолого-педагогическая")
    COMMUNICATIVE = "communicative", _("коммуникативная")
    DIGITAL = "digital", _("цифровая")
    MANAGERIAL = "managerial", _("управленческая")


class DeficitState(models.TextChoices):
    PROPOSED = "proposed", _("предложен")
    CONFIRMED = "confirmed", _("подтверждён")
    REJECTED = "rejected", _("отклонён")
    CLOSED = "closed", _("преодолён")


class DeficitSource(models.TextChoices):
    ASSESSMENT = "assessment", _("результаты обучающихся")
    TEST = "test", _("внешнее тестирование")
    SELF_ASSESSMENT = "self_assessment", _("самооценка")
    OBSERVATION = "observation", _("экспертное наблюдение урока")
    MANUAL = "manual", _("выявлен методистом")


# States in which a deficit is still open (awaiting a decision, or confirmed and not yet overcome).
OPEN_STATES = (DeficitState.PROPOSED, DeficitState.CONFIRMED)
# States a decision can be taken (or revised) in; a closed deficit stays closed.
DECIDABLE_STATES = (DeficitState.PROPOSED, DeficitState.CONFIRMED, DeficitState.REJECTED)


class RollupLevel(models.TextChoices):
    """How deficits roll up for reports (metodist.competences.selectors.rollup)."""

    GENERALISED_FUNCTION = "generalised_function", _("по обобщённым трудовым функциям")
    LABOUR_FUNCTION = "labour_function", _("по трудовым функциям")
    AREA = "area", _("по областям компетенций")
