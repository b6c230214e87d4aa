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
