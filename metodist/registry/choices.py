"""Choices of the registry (база данных педагогических работников)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TerritoryKind(models.TextChoices):
    REGION = "region", _("Регион")
    MUNICIPALITY = "municipality", _("Муниципалитет")


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", _("Общеобразовательная организация")
    KINDERGARTEN = "kindergarten", _("Дошкольная образовательная организация")
    ADDITIONAL = "additional", _("Организация дополнительного образования")
    COLLEGE = "college", _("Профессиональная образовательная организация")
    METHODOLOGICAL_CENTRE = "methodological_centre", _("Методический центр")


class InnovationSite(models.TextChoices):
    NONE = "", _("Нет")
    MUNICIPAL = "mip", _("МИП — муниципальная инновационная площадка")
    REGIONAL = "rip", _("РИП — региональная инновационная площадка")
    FEDERAL = "fip", _("ФИП — федеральная инновационная площадка")


class PositionGroup(models.TextChoices):
    """Sections of the nomenclature (постановление Правительства РФ от 21.02.2022 № 225)."""

    TEACHING = "teaching", _("Педагогические работники")
    MANAGEMENT = "management", _("Руководители образовательных организаций")


class QualificationCategory(models.TextChoices):
    """Категории по приказу Минпросвещения России от 24.03.2023 № 196."""

    NONE = "none", _("Без категории")
    CONFORMITY = "conformity", _("Соответствие занимаемой должности")
    FIRST = "first", _("Первая")
    HIGHEST = "highest", _("Высшая")
    METHODIST = "methodist", _("Педагог-методист")
    MENTOR = "mentor", _("Педагог-наставник")


# Categories that are valid for a limited time, and for how many years (приказ № 196, п. 2, 8).
CATEGORY_VALID_YEARS: dict[str, int] = {
    QualificationCategory.CONFORMITY: 5,
    QualificationCategory.FIRST: 5,
    QualificationCategory.HIGHEST: 5,
    QualificationCategory.METHODIST: 5,
    QualificationCategory.MENTOR: 5,
}


class EmploymentKind(models.TextChoices):
    MAIN = "main", _("Основное место работы")
    PART_TIME = "part_time", _("Внешнее совместительство")
    INTERNAL = "internal", _("Внутреннее совместительство")


class Gender(models.TextChoices):
    FEMALE = "f", _("Женский")
    MALE = "m", _("Мужской")


class PersonStatusKind(models.TextChoices):
    TEACHER_METHODIST = "teacher_methodist", _("Учитель-методист")
    TEACHER_MENTOR = "teacher_mentor", _("Учитель-наставник")
    MASTER_TEACHER = "master_teacher", _("Учитель-мастер")
    EXPERT = "expert", _("Эксперт")
    TUTOR = "tutor", _("Тьютор")
    RESERVE = "reserve", _("Кадровый резерв руководителей")


class AwardLevel(models.TextChoices):
    FEDERAL = "federal", _("Государственная / федеральная")
    DEPARTMENTAL = "departmental", _("Ведомственная")
    REGIONAL = "regional", _("Региональная")
    MUNICIPAL = "municipal", _("Муниципальная")


class CourseFormat(models.TextChoices):
    FULL_TIME = "full_time", _("Очно")
    DISTANCE = "distance", _("Дистанционно")
    MIXED = "mixed", _("Очно-заочно")


# Derived thresholds (MISSION.md, seed 001): a young teacher is under 35 and in the first 3 years.
YOUNG_TEACHER_MAX_AGE = 35
YOUNG_TEACHER_MAX_EXPERIENCE_YEARS = 3
RECENT_COURSES_YEARS = 3


class MatchRequestState(models.TextChoices):
    """State of a «заявка на подтверждение» (:class:`~metodist.registry.models.PersonMatchRequest`)."""

    PENDING = "pending", _("На подтверждении у методиста")
    CONFIRMED = "confirmed", _("Подтверждена")
    REJECTED = "rejected", _("Отклонена")


class MatchRequestSource(models.TextChoices):
    FORM = "form", _("Форма на сайте")
    API = "api", _("API")
    IMPORT = "import", _("Загрузка списка")
