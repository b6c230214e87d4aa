from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureKind(models.TextChoices):
    VPR = "vpr", _("ВПР")
    OGE = "oge", _("ОГЭ")
    EGE = "ege", _("ЕГЭ")
    REGIONAL = "regional", _("Региональная диагностика (КДР / РДР)")
    LITERACY = "literacy", _("Диагностика функциональной грамотности")
    SCHOOL = "school", _("Школьная диагностика")


class TaskLevel(models.TextChoices):
    BASIC = "basic", _("базовый")
    ADVANCED = "advanced", _("повышенный")
    HIGH = "high", _("высокий")


class LiteracyType(models.TextChoices):
    READING = "reading", _("читательская")
    MATHEMATICAL = "mathematical", _("математическая")
    SCIENCE = "science", _("естественнонаучная")
    FINANCIAL = "financial", _("финансовая")
    GLOBAL = "global", _("глобальные компетенции")
    CREATIVE = "creative", _("креативное мышление")


class Gender(models.TextChoices):
    MALE = "m", _("м")
    FEMALE = "f", _("ж")


class ResultFormat(models.TextChoices):
    """The layouts of result files the readers know (``metodist.assessments.readers``)."""

    COLLECTION_FORM = "collection_form", _("Форма сбора результатов ФИС ОКО (одна школа)")
    ANALYTICS_EXPORT = "analytics_export", _("Выгрузка ФИС ОКО «Индивидуальные результаты» (муниципалитет)")
    PROTOCOL = "protocol", _("Протокол ОГЭ / ЕГЭ (региональный центр обработки информации)")
    LONG = "long", _("Простой формат: школа, класс, код, задание, балл")


class UploadStatus(models.TextChoices):
    CHECKED = "checked", _("Проверен, ждёт подтверждения")
    APPLIED = "applied", _("Загружен")
    FAILED = "failed", _("Не загружен: ошибки в файле")
