"""Diagnostics of teachers' professional deficits (диагностика профессиональных дефицитов).

A **campaign** measures a set of indicators of a competence framework for a set of teachers in a period,
by up to three methods: an external test's results imported per person and indicator, a self-assessment
questionnaire each teacher fills in, and expert lesson observations with an observation card. Every
result keeps its source, author, date and evidence; a level below the framework's threshold proposes a
teacher deficit through :func:`metodist.competences.services.deficit_propose`.

**Observation cards** are one generic engine (a template of criteria, each with its scale and optionally
an indicator; an observation with ratings, comments and private attachments) that later capabilities
reuse for the curator method and the steps of replication.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from metodist.core.models import BaseModel

from .choices import CampaignState, CardPurpose, Method, ObservationState, ParticipantState
from .querysets import (
    CampaignQuerySet,
    CardTemplateQuerySet,
    ObservationPartQuerySet,
    ObservationQuerySet,
    ParticipantQuerySet,
    ResultQuerySet,
)


def academic_year_of(day: datetime.date) -> int:
    """The year the academic year containing ``day`` began (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


# Observation cards -------------------------------------------------------------------------------


class CardTemplate(BaseModel):
    """Шаблон карты наблюдения: the criteria an observer rates, each on its own scale.

    A municipality's template belongs to its territory; a shared one (no territory) serves the region.
    Once an observation uses a template its criteria are fixed (a new version is a copy).
    """

    title = models.CharField(_("наименование"), max_length=300)
    purpose = models.CharField(_("назначение"), max_length=16, choices=CardPurpose.choices, default=CardPurpose.LESSON)
    description = models.TextField(_("описание и указания наблюдателю"), blank=True)
    territory = models.ForeignKey(
        "registry.Territory",
        verbose_name=_("муниципалитет"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="observation_card_templates",
        help_text=_("Пусто — шаблон для всего региона."),
    )
    framework = models.ForeignKey(
        "competences.Framework",
        verbose_name=_("рамка компетенций"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="observation_card_templates",
        help_text=_("Критерии можно связать с показателями этой рамки."),
    )
    is_active = models.BooleanField(_("используется"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("автор"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CardTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("шаблон карты наблюдения")
        verbose_name_plural = _("шаблоны карт наблюдения")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "title"], name="diagnostics_card_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("diagnostics:card_detail", args=[self.pk])


class CardCriterion(BaseModel):
    """Критерий карты наблюдения: what the observer rates, on a scale ``scale_min``…``scale_max``."""

    template = models.ForeignKey(
        CardTemplate, verbose_name=_("шаблон"), on_delete=models.CASCADE, related_name="criteria"
    )
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)
    title = models.CharField(_("критерий"), max_length=500)
    description = models.TextField(_("что наблюдать"), blank=True)
    node = models.ForeignKey(
        "competences.CompetenceNode",
        verbose_name=_("показатель рамки"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="observation_criteria",
    )
    scale_min = models.PositiveSmallIntegerField(_("шкала: от"), default=0)
    scale_max = models.PositiveSmallIntegerField(_("шкала: до"), default=2)
    # One label per point of the scale, from scale_min upwards («не проявляется», «частично», «в полной мере»).
    scale_labels = models.JSONField(_("подписи баллов"), default=list, blank=True)

    class Meta:
        verbose_name = _("критерий карты наблюдения")
        verbose_name_plural = _("критерии карты наблюдения")
        ordering = ["template", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(scale_min__lt=F("scale_max")), name="diagnostics_criterion_scale_order"),
            models.CheckConstraint(condition=Q(scale_max__lte=100), name="diagnostics_criterion_scale_max"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def points(self) -> list[tuple[int, str]]:
        """Every point of the scale with its label (empty where none was given)."""
        labels = list(self.scale_labels or [])
        return [
            (value, str(labels[i]) if i < len(labels) else "")
            for i, value in enumerate(range(self.scale_min, self.scale_max + 1))
        ]


# Campaigns ---------------------------------------------------------------------------------------


class Campaign(BaseModel):
    """Диагностическая кампания: indicators of a framework measured for a set of teachers in a period."""

    title = models.CharField(_("наименование"), max_length=300)
    description = models.TextField(_("описание"), blank=True)
    territory = models.ForeignKey(
        "registry.Territory", verbose_name=_("муниципалитет"), on_delete=models.PROTECT, related_name="campaigns"
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("школа"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        help_text=_("Для диагностики в одной школе."),
    )
    framework = models.ForeignKey(
        "competences.Framework", verbose_name=_("рамка компетенций"), on_delete=models.PROTECT, related_name="+"
    )
    indicators = models.ManyToManyField(
        "competences.CompetenceNode", verbose_name=_("показатели"), related_name="campaigns"
    )
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    academic_year = models.PositiveSmallIntegerField(_("учебный год (год начала)"), editable=False)
    state = models.CharField(_("состояние"), max_length=8, choices=CampaignState.choices, default=CampaignState.DRAFT)
    uses_test = models.BooleanField(_("внешнее тестирование"), default=False)
    uses_self_assessment = models.BooleanField(_("самооценка"), default=True)
    uses_observation = models.BooleanField(_("наблюдение уроков"), default=False)
    card_template = models.ForeignKey(
        CardTemplate,
        verbose_name=_("карта наблюдения"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    # Who takes part: the selection the participants were drawn from, kept to say so on the page.
    audience_subject = models.ForeignKey(
        "registry.Subject",
        verbose_name=_("учителя предмета"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    audience_young = models.BooleanField(_("только молодые педагоги"), default=False)
    experts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("эксперты"),
        blank=True,
        related_name="diagnostic_campaigns",
        help_text=_("Эксперты видят участников кампании и записывают наблюдения их уроков."),
    )
    opened_at = models.DateTimeField(_("открыта"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("автор"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("диагностическая кампания")
        verbose_name_plural = _("диагностические кампании")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="diagnostics_campaign_period"),
            models.CheckConstraint(
                condition=Q(uses_test=True) | Q(uses_self_assessment=True) | Q(uses_observation=True),
                name="diagnostics_campaign_has_method",
            ),
        ]
        indexes = [models.Index(fields=["territory", "state"], name="diagnostics_campaign_terr")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("diagnostics:campaign_detail", args=[self.pk])

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.academic_year = academic_year_of(self.starts_on)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "academic_year"}
        super().save(*args, **kwargs)

    @property
    def methods(self) -> list[str]:
        chosen = [
            (self.uses_test, Method.TEST),
            (self.uses_self_assessment, Method.SELF_ASSESSMENT),
            (self.uses_observation, Method.OBSERVATION),
        ]
        return [method for used, method in chosen if used]

    @property
    def is_open(self) -> bool:
        return self.state == CampaignState.OPEN

    def source_ref(self, *, person_id: int, node_id: int, method: str) -> str:
        """What proposed a deficit, for ``TeacherDeficit.source_ref``: one row per campaign, person, indicator
        and method, so that loading a corrected file or resubmitting confirms the same deficit."""
        return f"diagnostics.Campaign:{self.pk}:person:{person_id}:node:{node_id}:{method}"


class Participant(BaseModel):
    """Участник кампании: a teacher invited to it, from one school; their questionnaire's progress."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("кампания"), on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("педагог"),
        on_delete=models.CASCADE,
        related_name="diagnostic_participations",
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("организация"),
        on_delete=models.PROTECT,
        related_name="diagnostic_participants",
    )
    state = models.CharField(
        _("анкета"), max_length=16, choices=ParticipantState.choices, default=ParticipantState.INVITED
    )
    invited_at = models.DateTimeField(_("приглашение отправлено"), null=True, blank=True)
    started_at = models.DateTimeField(_("начал(а) заполнять"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("отправил(а) анкету"), null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("участник диагностики")
        verbose_name_plural = _("участники диагностики")
        ordering = ["campaign", "person__last_name", "person__first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="diagnostics_participant_unique"),
            models.CheckConstraint(
                condition=~Q(state=ParticipantState.SUBMITTED) | Q(submitted_at__isnull=False),
                name="diagnostics_participant_submitted_at",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "campaign"], name="diagnostics_participant_org")]

    def __str__(self) -> str:
        return f"{self.person} — {self.campaign}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"person_id": self.person_id}


class Answer(BaseModel):
    """Ответ анкеты самооценки: the teacher's working copy, saved as they go; results are made on submit."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("участник"), on_delete=models.CASCADE, related_name="answers"
    )
    node = models.ForeignKey(
        "competences.CompetenceNode", verbose_name=_("показатель"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.DecimalField(_("самооценка"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("комментарий"), blank=True)

    class Meta:
        verbose_name = _("ответ анкеты самооценки")
        verbose_name_plural = _("ответы анкет самооценки")
        ordering = ["participant", "node__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "node"], name="diagnostics_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.node_id} = {self.level}"


class Observation(BaseModel):
    """Наблюдение урока (посещение): an observer rates a teacher's lesson on a card template.

    It may check deficits proposed earlier (``deficits``): after the lesson the observer or the school's
    coordinator confirms or rejects each, and the decision refers to this observation.
    """

    template = models.ForeignKey(
        CardTemplate, verbose_name=_("карта наблюдения"), on_delete=models.PROTECT, related_name="observations"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("кампания"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
    )
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("наблюдатель"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("педагог (чей урок)"),
        on_delete=models.CASCADE,
        related_name="observations",
    )
    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("школа"), on_delete=models.PROTECT, related_name="observations"
    )
    lesson_date = models.DateField(_("дата урока"))
    school_class = models.ForeignKey(
        "registry.SchoolClass",
        verbose_name=_("класс"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
    )
    subject = models.ForeignKey(
        "registry.Subject", verbose_name=_("предмет"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    topic = models.CharField(_("тема урока"), max_length=500, blank=True)
    notes = models.TextField(_("общие замечания и рекомендации"), blank=True)
    state = models.CharField(
        _("состояние"), max_length=12, choices=ObservationState.choices, default=ObservationState.DRAFT
    )
    completed_at = models.DateTimeField(_("завершено"), null=True, blank=True)
    deficits = models.ManyToManyField(
        "competences.TeacherDeficit",
        verbose_name=_("проверяемые дефициты"),
        blank=True,
        related_name="observations",
    )

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("наблюдение урока")
        verbose_name_plural = _("наблюдения уроков")
        ordering = ["-lesson_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state=ObservationState.DRAFT) | Q(completed_at__isnull=False),
                name="diagnostics_observation_completed_at",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "lesson_date"], name="diagnostics_observation_org"),
            models.Index(fields=["person", "lesson_date"], name="diagnostics_observation_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.lesson_date:%d.%m.%Y}"

    def get_absolute_url(self) -> str:
        return reverse("diagnostics:observation_detail", args=[self.pk])

    def get_additional_data(self) -> dict[str, Any]:
        return {"person_id": self.person_id}

    @property
    def is_completed(self) -> bool:
        return self.state == ObservationState.COMPLETED

    @property
    def decision_ref(self) -> str:
        return f"diagnostics.Observation:{self.pk}"


class Rating(BaseModel):
    """Оценка по критерию карты: the point given and the observer's comment."""

    observation = models.ForeignKey(
        Observation, verbose_name=_("наблюдение"), on_delete=models.CASCADE, related_name="ratings"
    )
    criterion = models.ForeignKey(
        CardCriterion, verbose_name=_("критерий"), on_delete=models.PROTECT, related_name="ratings"
    )
    value = models.PositiveSmallIntegerField(_("балл"), null=True, blank=True)
    comment = models.TextField(_("комментарий"), blank=True)

    objects = ObservationPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("оценка по критерию")
        verbose_name_plural = _("оценки по критериям")
        ordering = ["observation", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["observation", "criterion"], name="diagnostics_rating_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


def attachment_path(instance: ObservationAttachment, filename: str) -> str:
    # Private storage: never under a public URL; the name carries no personal data.
    return f"diagnostics/observations/{instance.observation_id}/{datetime.date.today():%Y%m}-{filename[-80:]}"


class ObservationAttachment(BaseModel):
    """Вложение к наблюдению (a photo of the board, the lesson plan): private, served only through the
    scoped download view, deleted with the observation or after ``ATTACHMENT_RETENTION_DAYS``."""

    observation = models.ForeignKey(
        Observation, verbose_name=_("наблюдение"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("файл"), upload_to=attachment_path, max_length=300)
    original_filename = models.CharField(_("имя файла"), max_length=255)
    size = models.PositiveIntegerField(_("размер, байт"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("загрузил(а)"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ObservationPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("вложение к наблюдению")
        verbose_name_plural = _("вложения к наблюдениям")
        ordering = ["observation", "created_at", "id"]

    def __str__(self) -> str:
        return self.original_filename


class Result(BaseModel):
    """Результат диагностики: the level of one teacher at one indicator by one method, with its evidence.

    Made when a test file is loaded, a self-assessment is submitted or an observation is completed;
    a level below the framework's threshold proposes a deficit (``deficit_ref`` names it).
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("кампания"), on_delete=models.CASCADE, null=True, blank=True, related_name="results"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("участник"), on_delete=models.CASCADE, null=True, blank=True, related_name="results"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("педагог"), on_delete=models.CASCADE, related_name="diagnostic_results"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("организация"), on_delete=models.PROTECT, related_name="+"
    )
    node = models.ForeignKey(
        "competences.CompetenceNode", verbose_name=_("показатель"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("метод"), max_length=16, choices=Method.choices)
    level = models.DecimalField(_("уровень"), max_digits=6, decimal_places=2)
    threshold = models.DecimalField(
        _("порог освоения"), max_digits=6, decimal_places=2, help_text=_("Порог рамки на момент измерения.")
    )
    observation = models.ForeignKey(
        Observation,
        verbose_name=_("наблюдение"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="results",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто внёс"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    measured_on = models.DateField(_("дата"))
    source_label = models.CharField(_("источник"), max_length=500, blank=True)
    evidence = models.TextField(_("основания"), blank=True)
    deficit = models.ForeignKey(
        "competences.TeacherDeficit",
        verbose_name=_("дефицит"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("результат диагностики")
        verbose_name_plural = _("результаты диагностики")
        ordering = ["person", "node__position", "method", "-measured_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "node", "method"],
                condition=Q(observation__isnull=True),
                name="diagnostics_result_unique_campaign",
            ),
            models.UniqueConstraint(
                fields=["observation", "node"],
                condition=Q(observation__isnull=False),
                name="diagnostics_result_unique_observation",
            ),
            models.CheckConstraint(
                condition=~Q(method=Method.OBSERVATION) | Q(observation__isnull=False),
                name="diagnostics_result_observation_given",
            ),
            models.CheckConstraint(
                condition=Q(method=Method.OBSERVATION) | Q(participant__isnull=False),
                name="diagnostics_result_participant_given",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "node", "method"], name="diagnostics_result_campaign")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.node_id} {self.get_method_display()} = {self.level}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"person_id": self.person_id}

    @property
    def is_below(self) -> bool:
        return self.level < self.threshold
