"""Competence frameworks (the professional standard «Педагог» and others) and teachers' deficits.

A framework is a versioned tree whose codes are natural keys (``A/01.6`` — a labour function of the
standard). Deficits live at the level a diagnostic measures (a labour action, skill, knowledge or a
subject-methodological indicator) and roll up the tree for reports. The six competence areas are tags
over the tree, not a second tree.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from metodist.core.models import BaseModel

from .choices import CompetenceArea, DeficitSource, DeficitState, NodeKind
from .querysets import TeacherDeficitQuerySet


class Framework(BaseModel):
    """Рамка компетенций: a versioned tree with a scale and the proficiency threshold (as Moodle's)."""

    code = models.CharField(_("код"), max_length=64)
    version = models.CharField(_("версия"), max_length=32)
    name = models.CharField(_("наименование"), max_length=500)
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


class CompetenceNode(BaseModel):
    """A node of a framework's tree: a generalised or labour function, a labour action, skill, knowledge
    or indicator; ``code`` is its natural key within the framework («A/01.6», «A/01.6.ТД.3»)."""

    framework = models.ForeignKey(Framework, verbose_name=_("рамка"), on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", verbose_name=_("родитель"), on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(_("вид"), max_length=24, choices=NodeKind.choices)
    code = models.CharField(_("код"), max_length=64)
    title = models.TextField(_("формулировка"))
    position = models.PositiveIntegerField(_("порядок"), default=0)
    # Competence areas (subject, methodological, …) as tags; a list of CompetenceArea values.
    areas = models.JSONField(_("области компетенций"), default=list, blank=True)

    class Meta:
        verbose_name = _("элемент рамки компетенций")
        verbose_name_plural = _("элементы рамки компетенций")
        ordering = ["framework", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="competences_node_unique_code"),
        ]
        indexes = [models.Index(fields=["framework", "parent", "position"], name="competences_node_tree")]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:80]}"

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

    objects = TeacherDeficitQuerySet.as_manager()

    class Meta:
        verbose_name = _("дефицит педагога")
        verbose_name_plural = _("дефициты педагогов")
        ordering = ["person", "node__position", "-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "node", "source_ref"], name="competences_deficit_unique_source"),
        ]
        indexes = [models.Index(fields=["organisation", "state"], name="competences_deficit_org_state")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.node.code} ({self.get_state_display()})"
