"""Choices of the diagnostics (диагностика профессиональных дефицитов)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("подготовка")
    OPEN = "open", _("идёт")
    CLOSED = "closed", _("завершена")


class Method(models.TextChoices):
    """How a result was obtained; each maps to a deficit source of the competences app."""

    TEST = "test", _("внешнее тестирование")
    SELF_ASSESSMENT = "self_assessment", _("самооценка")
    OBSERVATION = "observation", _("экспертное наблюдение урока")


class ParticipantState(models.TextChoices):
    INVITED = "invited", _("приглашён(а)")
    IN_PROGRESS = "in_progress", _("заполняет анкету")
    SUBMITTED = "submitted", _("анкета отправлена")


class CardPurpose(models.TextChoices):
    """What a card of observation is for: the same engine serves lessons, the curator method, replication."""

    LESSON = "lesson", _("наблюдение урока")
    CURATOR = "curator", _("кураторский метод")
    REPLICATION = "replication", _("тиражирование практики")
    OTHER = "other", _("другое")


class ObservationState(models.TextChoices):
    DRAFT = "draft", _("черновик")
    COMPLETED = "completed", _("завершено")


class DeficitDecision(models.TextChoices):
    CONFIRM = "confirmed", _("подтвердить")
    REJECT = "rejected", _("отклонить")
