"""Student assessments: procedures with their task specification, and per-task results of anonymous students.

No student names are ever stored: a student is an anonymous code within one class's results
(``StudentResult.student_code``). Readers drop a name column as the upload is received.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from metodist.core.models import BaseModel

from .choices import Gender, LiteracyType, ProcedureKind, ResultFormat, TaskLevel, UploadStatus
from .querysets import ClassAssessmentQuerySet, ProcedureQuerySet, ResultUploadQuerySet, StudentResultQuerySet


class Procedure(BaseModel):
    """Оценочная процедура: e.g. «ВПР 2026, математика, 6 класс» — subject, grade, year, scale, tasks.

    A shared procedure (ВПР, ОГЭ, regional diagnostics) has no organisation; a school's own diagnostic
    belongs to its school.
    """

    kind = models.CharField(_("вид"), max_length=16, choices=ProcedureKind.choices)
    title = models.CharField(_("наименование"), max_length=300)
    subject = models.ForeignKey(
        "registry.Subject", verbose_name=_("предмет"), on_delete=models.PROTECT, related_name="procedures"
    )
    grade = models.PositiveSmallIntegerField(
        _("класс (параллель)"), validators=[MinValueValidator(1), MaxValueValidator(11)]
    )
    academic_year = models.PositiveSmallIntegerField(
        _("учебный год (год начала)"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    held_on = models.DateField(_("дата проведения"), null=True, blank=True)
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("школа (для школьной диагностики)"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_procedures",
    )
    # Score-to-mark scale: the lowest primary score of each mark, e.g. {"3": 6, "4": 10, "5": 15}.
    mark_scale = models.JSONField(_("шкала перевода баллов в отметки"), default=dict, blank=True)
    description = models.TextField(_("описание"), blank=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("оценочная процедура")
        verbose_name_plural = _("оценочные процедуры")
        ordering = ["-academic_year", "kind", "subject__name", "grade", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject", "grade", "academic_year", "title"],
                name="assessments_procedure_unique_title",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:procedure_detail", args=[self.pk])

    @property
    def academic_year_display(self) -> str:
        return f"{self.academic_year}/{(self.academic_year + 1) % 100:02d}"

    def mark_for(self, primary_score: int) -> int | None:
        """The mark of a primary score by the procedure's scale; ``None`` when there is no scale."""
        if not self.mark_scale:
            return None
        mark = 2
        for value, lowest in sorted(((int(k), int(v)) for k, v in self.mark_scale.items()), key=lambda p: p[1]):
            if primary_score >= lowest:
                mark = max(mark, value)
        return mark


class Task(BaseModel):
    """Задание of a procedure as printed («1», «5.2», «4К1», «11.3 k1»), with what it checks."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("процедура"), on_delete=models.CASCADE, related_name="tasks"
    )
    number = models.CharField(_("номер задания"), max_length=32)
    position = models.PositiveSmallIntegerField(_("порядок"))
    max_score = models.PositiveSmallIntegerField(_("максимальный балл"), validators=[MinValueValidator(1)])
    level = models.CharField(_("уровень"), max_length=16, choices=TaskLevel.choices, default=TaskLevel.BASIC)
    checked_element = models.TextField(_("проверяемый элемент содержания / умение"), blank=True)
    planned_result = models.TextField(_("планируемый результат"), blank=True)
    codifier_codes = models.CharField(_("коды кодификатора"), max_length=200, blank=True)
    literacy_type = models.CharField(_("вид грамотности"), max_length=16, choices=LiteracyType.choices, blank=True)
    # Natural keys of the competence indicators the task maps to (e.g. «A/01.6», «ПМ-3»), comma-separated;
    # resolved against the competence frameworks by metodist.competences.
    competence_codes = models.CharField(_("коды компетенций педагога"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("задание")
        verbose_name_plural = _("задания")
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="assessments_task_unique_number"),
            models.UniqueConstraint(fields=["procedure", "position"], name="assessments_task_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.max_score} б.)"


class ClassAssessment(BaseModel):
    """Results of one class in one procedure (e.g. 6А of school № 7 in «ВПР 2026 математика 6»).

    The unit a load replaces: loading a corrected file replaces the class's student rows in one
    transaction; loading the same file again changes nothing (``content_hash``).
    """

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("процедура"), on_delete=models.CASCADE, related_name="class_assessments"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("школа"), on_delete=models.CASCADE, related_name="class_assessments"
    )
    school_class = models.ForeignKey(
        "registry.SchoolClass",
        verbose_name=_("класс"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
    )
    class_label = models.CharField(_("класс (как в файле)"), max_length=32)
    participants = models.PositiveIntegerField(_("участников (выполняли работу)"), default=0)
    absent = models.PositiveIntegerField(_("отсутствовали"), default=0)
    content_hash = models.CharField(_("контрольная сумма загруженных строк"), max_length=64, blank=True)
    source_name = models.CharField(_("файл"), max_length=255, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("загрузил(а)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    loaded_at = models.DateTimeField(_("загружено"), null=True, blank=True)
    upload = models.ForeignKey(
        "ResultUpload",
        verbose_name=_("загрузка"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="class_assessments",
    )

    objects = ClassAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("результаты класса")
        verbose_name_plural = _("результаты классов")
        ordering = ["procedure", "organisation", "class_label", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "organisation", "class_label"], name="assessments_class_unique_label"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.class_label} — {self.procedure}"


class StudentResult(models.Model):
    """One anonymous student's work in a class's results: code, variant, marks; never a name."""

    class_assessment = models.ForeignKey(
        ClassAssessment, verbose_name=_("результаты класса"), on_delete=models.CASCADE, related_name="students"
    )
    student_code = models.CharField(_("код участника"), max_length=32)
    variant = models.CharField(_("вариант"), max_length=32, blank=True)
    absent = models.BooleanField(_("отсутствовал"), default=False)
    gender = models.CharField(_("пол"), max_length=1, choices=Gender.choices, blank=True)
    primary_score = models.PositiveSmallIntegerField(_("первичный балл"), null=True, blank=True)
    # The primary score the file stated («Итого баллов» / «Первичный балл») when it differs from the sum.
    stated_score = models.PositiveSmallIntegerField(_("балл, указанный в файле"), null=True, blank=True)
    mark = models.PositiveSmallIntegerField(
        _("отметка"), null=True, blank=True, validators=[MinValueValidator(2), MaxValueValidator(5)]
    )
    journal_mark = models.PositiveSmallIntegerField(
        _("отметка по журналу"), null=True, blank=True, validators=[MinValueValidator(2), MaxValueValidator(5)]
    )

    objects = StudentResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("результат участника")
        verbose_name_plural = _("результаты участников")
        ordering = ["class_assessment", "student_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["class_assessment", "student_code"], name="assessments_student_unique_code"
            ),
            models.CheckConstraint(
                condition=models.Q(mark__isnull=True) | models.Q(mark__gte=2, mark__lte=5),
                name="assessments_student_mark_range",
            ),
            models.CheckConstraint(
                condition=models.Q(journal_mark__isnull=True) | models.Q(journal_mark__gte=2, journal_mark__lte=5),
                name="assessments_student_journal_mark_range",
            ),
        ]

    def __str__(self) -> str:
        return self.student_code


class TaskScore(models.Model):
    """Points of one student for one task; «X» in the file (not attempted) is 0 points, flagged."""

    # No index of its own: the unique (student, task) index serves every lookup by student, and one index
    # less makes a region's million rows load faster.
    student = models.ForeignKey(StudentResult, on_delete=models.CASCADE, related_name="scores", db_index=False)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(_("баллы"))
    not_attempted = models.BooleanField(_("не приступал (X)"), default=False)

    class Meta:
        verbose_name = _("балл за задание")
        verbose_name_plural = _("баллы за задания")
        ordering = ["student", "task"]
        constraints = [
            models.UniqueConstraint(fields=["student", "task"], name="assessments_score_unique_task"),
        ]

    def __str__(self) -> str:
        return f"{self.task.number}: {self.score}"


class TaskAggregate(models.Model):
    """Per class × task figures, refreshed in the same transaction that loads the class's results.

    Every analysis page (school, municipality, region) sums these rows instead of scanning
    ``TaskScore``: success rate = points / (participants × max_score).
    """

    class_assessment = models.ForeignKey(ClassAssessment, on_delete=models.CASCADE, related_name="task_aggregates")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="aggregates")
    participants = models.PositiveIntegerField(_("участников"))
    points = models.PositiveIntegerField(_("сумма баллов"))
    not_attempted = models.PositiveIntegerField(_("не приступали (X)"), default=0)
    full_score = models.PositiveIntegerField(_("получили максимум"), default=0)

    class Meta:
        verbose_name = _("итог по заданию в классе")
        verbose_name_plural = _("итоги по заданиям в классах")
        ordering = ["class_assessment", "task"]
        constraints = [
            models.UniqueConstraint(fields=["class_assessment", "task"], name="assessments_aggregate_unique_task"),
        ]

    def __str__(self) -> str:
        return f"{self.class_assessment_id}/{self.task_id}: {self.points}/{self.participants}"


class ResultUpload(BaseModel):
    """Загрузка результатов: one uploaded result file, kept between its check (the preview) and the load.

    The stored copy never holds student names: a reader that finds a name column drops it as the upload is
    received, before the copy is written (``dropped_columns`` says which). ``report`` is what the check
    found: the classes with their counts and every problem; ``class_mapping`` is the user's choice of
    the registry class for each class of the file.
    """

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("процедура"), on_delete=models.CASCADE, related_name="uploads"
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("школа"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="result_uploads",
        help_text=_("Для формы сбора результатов и протокола одной школы."),
    )
    file_format = models.CharField(_("формат файла"), max_length=24, choices=ResultFormat.choices)
    file = models.FileField(_("файл (без ФИО)"), upload_to="assessments/uploads/%Y/%m/", blank=True)
    original_filename = models.CharField(_("имя файла"), max_length=255)
    dropped_columns = models.JSONField(_("удалённые столбцы с ФИО"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("загрузил(а)"),
        on_delete=models.PROTECT,
        related_name="result_uploads",
    )
    status = models.CharField(_("состояние"), max_length=16, choices=UploadStatus.choices, default=UploadStatus.CHECKED)
    classes_count = models.PositiveIntegerField(_("классов"), default=0)
    students_count = models.PositiveIntegerField(_("участников"), default=0)
    scores_count = models.PositiveIntegerField(_("баллов за задания"), default=0)
    report = models.JSONField(_("результат проверки"), default=dict, blank=True)
    class_mapping = models.JSONField(_("соответствие классов"), default=dict, blank=True)
    applied_at = models.DateTimeField(_("загружено"), null=True, blank=True)

    objects = ResultUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("загрузка результатов")
        verbose_name_plural = _("загрузки результатов")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "created_at"], name="assessments_upload_user")]

    def __str__(self) -> str:
        return f"{self.original_filename} — {self.procedure}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:upload_preview", args=[self.pk])

    @property
    def can_apply(self) -> bool:
        return self.status == UploadStatus.CHECKED and self.classes_count > 0
