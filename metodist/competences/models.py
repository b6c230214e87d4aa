"""Competence frameworks (the professional standard «Педагог» and others) and teachers' deficits.

A framework is a versioned tree whose codes are natural keys (``A/01.6`` — a labour function of the
standard). Deficits live at the level a diagnostic measures (a labour action, skill, knowledge or a
subject-methodological indicator) and roll up the tree for reports. The six competence areas are tags
over the tree, not a second tree.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from metodist.core.models import BaseModel

from .choices import CompetenceArea, DeficitSource, DeficitState, FrameworkKind, NodeKind
from .querysets import CompetenceNodeQuerySet, FrameworkQuerySet, TeacherDeficitQuerySet

# Cyrillic letters that look like Latin ones: «А/01.6» typed on a Russian keyboard is «A/01.6».
_HOMOGLYPHS = str.maketrans("АВЕКМНОРСТХУ", "ABEKMHOPCTXY")
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-"})


def code_key(code: str) -> str:
    """The comparable form of a node's code: case, spaces, dashes and Cyrillic look-alikes do not matter.

    ``code_key("а/01.6") == code_key("A/01.6")``; «ПМ-М.1» and «пм-м.1» match too.
    """
    return "".join(code.split()).upper().translate(_HOMOGLYPHS).translate(_DASHES)


class Framework(BaseModel):
    """Рамка компетенций: a versioned tree with a scale and the proficiency threshold (as Moodle's)."""

    code = models.CharField(_("код"), max_length=64)
    version = models.CharField(_("версия"), max_length=32)
    name = models.CharField(_("наименование"), max_length=500)
    kind = models.CharField(_("вид рамки"), max_length=32, choices=FrameworkKind.choices, default=FrameworkKind.OTHER)
    subject = models.ForeignKey(
        "registry.Subject",
        verbose_name=_("предмет"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competence_frameworks",
        help_text=_("Для предметно-методических показателей: учителей какого предмета они описывают."),
    )
    source = models.CharField(_("основание (документ)"), max_length=500, blank=True)
    scale_min = models.DecimalField(_("шкала: от"), max_digits=6, decimal_places=2, default=Decimal(0))
    scale_max = models.DecimalField(_("шкала: до"), max_digits=6, decimal_places=2, default=Decimal(100))
    proficiency_threshold = models.DecimalField(
        _("порог освоения"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(60),
        help_text=_("Уровень ниже порога означает дефицит."),
    )
    is_active = models.BooleanField(_("действует"), default=True)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("рамка компетенций")
        verbose_name_plural = _("рамки компетенций")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="competences_framework_unique_version"),
            models.CheckConstraint(
                condition=models.Q(scale_min__lt=models.F("scale_max")), name="competences_framework_scale_order"
            ),
            models.CheckConstraint(
                condition=models.Q(proficiency_threshold__gte=models.F("scale_min"))
                & models.Q(proficiency_threshold__lte=models.F("scale_max")),
                name="competences_framework_threshold_in_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("competences:framework_detail", args=[self.pk])

    def is_deficit_level(self, level: Decimal | None) -> bool:
        """Whether a measured ``level`` on this framework's scale lies below the proficiency threshold."""
        return level is not None and level < self.proficiency_threshold


class CompetenceNode(BaseModel):
    """A node of a framework's tree: a generalised or labour function, a labour action, skill, knowledge
    or indicator; ``code`` is its natural key within the framework («A/01.6», «A/01.6.ТД.3»)."""

    framework = models.ForeignKey(Framework, verbose_name=_("рамка"), on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", verbose_name=_("родитель"), on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(_("вид"), max_length=24, choices=NodeKind.choices)
    code = models.CharField(_("код"), max_length=64)
    # code_key(code): how codes typed by people and written in other apps (Task.competence_codes) are matched.
    code_key = models.CharField(_("код для сопоставления"), max_length=64, editable=False, default="")
    title = models.TextField(_("формулировка"))
    position = models.PositiveIntegerField(_("порядок"), default=0)
    # Competence areas (subject, methodological, …) as tags; a list of CompetenceArea values.
    areas = models.JSONField(_("области компетенций"), default=list, blank=True)

    objects = CompetenceNodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("элемент рамки компетенций")
        verbose_name_plural = _("элементы рамки компетенций")
        ordering = ["framework", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="competences_node_unique_code"),
            models.UniqueConstraint(fields=["framework", "code_key"], name="competences_node_unique_code_key"),
            models.CheckConstraint(condition=~models.Q(code_key=""), name="competences_node_code_key_set"),
        ]
        indexes = [models.Index(fields=["framework", "parent", "position"], name="competences_node_tree")]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:80]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.code_key = code_key(self.code)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "code" in update_fields:
            kwargs["update_fields"] = {*update_fields, "code_key"}
        super().save(*args, **kwargs)

    @property
    def area_labels(self) -> list[str]:
        return [str(CompetenceArea(a).label) for a in self.areas if a in CompetenceArea.values]


class TeacherDeficit(BaseModel):
    """Профессиональный дефицит of a teacher at one indicator, with its source and evidence.

    Proposed deficits (from the students' results of the teacher's classes, or from a diagnostic) wait
    for a coordinator or methodologist to confirm or reject them — after a lesson observation, with a
    note. ``source_ref`` identifies what proposed it, so proposing again confirms the same row.
    """

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("педагог"), on_delete=models.CASCADE, related_name="deficits"
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("организация"),
        on_delete=models.CASCADE,
        related_name="teacher_deficits",
        help_text=_("Где работает педагог в связи с этим дефицитом (школа класса, школа кампании)."),
    )
    node = models.ForeignKey(
        CompetenceNode, verbose_name=_("показатель"), on_delete=models.PROTECT, related_name="deficits"
    )
    subject = models.ForeignKey(
        "registry.Subject",
        verbose_name=_("предмет"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teacher_deficits",
        help_text=_("Предмет, в преподавании которого выявлен дефицит (предмет класса, предмет рамки)."),
    )
    state = models.CharField(_("состояние"), max_length=16, choices=DeficitState.choices, default=DeficitState.PROPOSED)
    source = models.CharField(_("источник"), max_length=24, choices=DeficitSource.choices)
    source_ref = models.CharField(_("ссылка на источник"), max_length=200)
    source_label = models.CharField(_("источник (подробно)"), max_length=500, blank=True)
    evidence = models.TextField(_("основания"), blank=True)
    level = models.DecimalField(
        _("измеренный уровень"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1000))],
    )
    academic_year = models.PositiveSmallIntegerField(_("учебный год (год начала)"))
    previous_year_teacher = models.BooleanField(
        _("учитель прошлого учебного года"),
        default=False,
        help_text=_("Работа написана в первые недели учебного года: предложено и учителю прошлого года."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("решение принял(а)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("решение принято"), null=True, blank=True)
    decision_note = models.TextField(_("комментарий к решению"), blank=True)
    # What the decision rests on (e.g. «diagnostics.Observation:17»), shown with a link where it resolves.
    decision_ref = models.CharField(_("основание решения"), max_length=200, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("отметил(а) преодоление"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("преодолён"), null=True, blank=True)
    close_note = models.TextField(_("комментарий о преодолении"), blank=True)

    objects = TeacherDeficitQuerySet.as_manager()

    class Meta:
        verbose_name = _("дефицит педагога")
        verbose_name_plural = _("дефициты педагогов")
        ordering = ["person", "node__position", "-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "node", "source_ref"], name="competences_deficit_unique_source"),
            models.CheckConstraint(
                condition=models.Q(state=DeficitState.PROPOSED) | models.Q(decided_at__isnull=False),
                name="competences_deficit_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=DeficitState.CLOSED) | models.Q(closed_at__isnull=False),
                name="competences_deficit_closed_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(academic_year__gte=2000, academic_year__lte=2100),
                name="competences_deficit_academic_year_range",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "state"], name="competences_deficit_org_state"),
            models.Index(fields=["person", "state"], name="competences_deficit_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.node.code} ({self.get_state_display()})"

    def get_additional_data(self) -> dict[str, int]:
        """Stored with every audit entry so that the person's history shows the deficit."""
        return {"person_id": self.person_id}

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("competences:deficit_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in (DeficitState.PROPOSED, DeficitState.CONFIRMED)


class FrameworkUpload(BaseModel):
    """A framework file waiting for its preview to be confirmed (загрузка рамки: файл → проверка → загрузка).

    Only its owner reads it; it is deleted when the framework is created from it. Holds no personal data.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("загрузил(а)"), on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(_("имя файла"), max_length=255)
    content = models.BinaryField(_("содержимое"))
    params = models.JSONField(_("параметры рамки"), default=dict)

    class Meta:
        verbose_name = _("загруженный файл рамки")
        verbose_name_plural = _("загруженные файлы рамок")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
