"""The registry: territories, organisations, pedagogical workers and what they teach."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metodist.core.models import BaseModel
from metodist.core.permissions import Action
from metodist.core.scoping import ScopedQuerySet, UserScope, any_of, scope_for

from . import querysets
from . import validators as rules
from .choices import (
    CATEGORY_VALID_YEARS,
    RECENT_COURSES_YEARS,
    YOUNG_TEACHER_MAX_AGE,
    YOUNG_TEACHER_MAX_EXPERIENCE_YEARS,
    AwardLevel,
    CourseFormat,
    EmploymentKind,
    Gender,
    InnovationSite,
    MatchRequestSource,
    MatchRequestState,
    OrganisationKind,
    PersonStatusKind,
    PositionGroup,
    QualificationCategory,
    TerritoryKind,
)
from .validators import validate_inn, validate_ogrn, validate_snils


def full_years_between(start: datetime.date, end: datetime.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


class Territory(BaseModel):
    """A region or a municipality (муниципальный район, округ, ЗАТО) inside it."""

    name = models.CharField(_("наименование"), max_length=255)
    kind = models.CharField(_("вид"), max_length=16, choices=TerritoryKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("входит в"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    oktmo = models.CharField(_("код ОКТМО"), max_length=11, blank=True)

    objects = querysets.TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("территория")
        verbose_name_plural = _("территории")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="territory_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="territory_unique_root_name"
            ),
            models.CheckConstraint(
                name="territory_region_is_root",
                condition=Q(kind=TerritoryKind.REGION, parent__isnull=True)
                | Q(kind=TerritoryKind.MUNICIPALITY, parent__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(BaseModel):
    """An educational organisation (образовательная организация, ОО) or the methodological centre."""

    territory = models.ForeignKey(
        Territory, verbose_name=_("муниципалитет"), on_delete=models.PROTECT, related_name="organisations"
    )
    kind = models.CharField(_("тип"), max_length=32, choices=OrganisationKind.choices)
    short_name = models.CharField(_("краткое наименование"), max_length=255)
    full_name = models.CharField(_("полное наименование"), max_length=1000)
    inn = models.CharField(_("ИНН"), max_length=12, blank=True, validators=[validate_inn])
    ogrn = models.CharField(_("ОГРН"), max_length=13, blank=True, validators=[validate_ogrn])
    address = models.CharField(_("адрес"), max_length=500, blank=True)
    phone = models.CharField(_("телефон"), max_length=64, blank=True)
    email = models.EmailField(_("электронная почта"), blank=True)
    website = models.URLField(_("сайт"), blank=True)
    # The organisation's login in ФИС ОКО («edu203389»): how the analytics export names the school.
    fis_oko_login = models.CharField(
        _("логин ФИС ОКО"), max_length=32, blank=True, db_index=True, help_text=_("Например, edu203389.")
    )
    low_results = models.BooleanField(_("ШНОР — школа с низкими результатами"), default=False)
    unfavourable_conditions = models.BooleanField(_("неблагоприятные социальные условия"), default=False)
    innovation_site = models.CharField(
        _("инновационная площадка"), max_length=8, choices=InnovationSite.choices, blank=True, default=""
    )
    growth_point = models.BooleanField(_("центр «Точка роста»"), default=False)
    internship_site = models.BooleanField(_("стажировочная площадка"), default=False)
    is_active = models.BooleanField(_("действует"), default=True)

    objects = querysets.OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        ordering = ["short_name"]
        constraints = [
            models.UniqueConstraint(fields=["inn"], condition=~Q(inn=""), name="organisation_unique_inn"),
            models.UniqueConstraint(fields=["ogrn"], condition=~Q(ogrn=""), name="organisation_unique_ogrn"),
        ]
        indexes = [models.Index(fields=["territory", "kind"], name="organisation_territory_kind")]

    def __str__(self) -> str:
        return self.short_name

    def get_absolute_url(self) -> str:
        return reverse("registry:organisation_detail", args=[self.pk])


class Position(BaseModel):
    """A position of the nomenclature (постановление Правительства РФ от 21.02.2022 № 225)."""

    name = models.CharField(_("наименование"), max_length=255, unique=True)
    group = models.CharField(_("раздел номенклатуры"), max_length=16, choices=PositionGroup.choices)
    is_teaching = models.BooleanField(
        _("ведёт учебные занятия"), default=False, help_text=_("Учитель, преподаватель и т. п.")
    )
    sort_order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("должность")
        verbose_name_plural = _("должности")
        ordering = ["group", "sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Subject(BaseModel):
    """A school subject or area of work (учебный предмет, направление)."""

    name = models.CharField(_("наименование"), max_length=255, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("предмет")
        verbose_name_plural = _("предметы")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Person(BaseModel):
    """A pedagogical worker (педагогический работник) of one or more organisations."""

    last_name = models.CharField(_("фамилия"), max_length=150)
    first_name = models.CharField(_("имя"), max_length=150)
    patronymic = models.CharField(_("отчество"), max_length=150, blank=True)
    gender = models.CharField(_("пол"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("дата рождения"), null=True, blank=True)
    snils = models.CharField(_("СНИЛС"), max_length=14, blank=True, validators=[validate_snils])
    email = models.EmailField(_("электронная почта"), blank=True)
    phone = models.CharField(_("телефон"), max_length=64, blank=True)
    education = models.CharField(_("образование"), max_length=255, blank=True)
    experience_start = models.DateField(
        _("начало педагогического стажа"),
        null=True,
        blank=True,
        help_text=_("Дата, с которой считается педагогический стаж."),
    )

    objects = querysets.PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("педагогический работник")
        verbose_name_plural = _("педагогические работники")
        ordering = ["last_name", "first_name", "patronymic", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["snils"],
                condition=~Q(snils=""),
                name="person_unique_snils",
                violation_error_message=rules.SNILS_TAKEN,
                violation_error_code="snils_taken",
            ),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name", "patronymic", "birth_date"], name="person_full_name"),
            models.Index(fields=["birth_date"], name="person_birth_date"),
            models.Index(fields=["experience_start"], name="person_experience_start"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("registry:person_detail", args=[self.pk])

    def clean(self) -> None:
        errors = rules.person_date_errors(
            birth_date=self.birth_date, experience_start=self.experience_start, today=timezone.localdate()
        )
        if errors:
            raise ValidationError(errors)

    def get_additional_data(self) -> dict:
        """Stored with every audit entry so that the person's history can be found in one query."""
        return {"person_id": self.pk}

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{part[0]}." for part in (self.first_name, self.patronymic) if part)
        return f"{self.last_name} {initials}".strip()

    def age(self, today: datetime.date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        return full_years_between(self.birth_date, today or timezone.localdate())

    def experience_years(self, today: datetime.date | None = None) -> int | None:
        """Full years of pedagogical experience (педагогический стаж)."""
        if self.experience_start is None:
            return None
        return max(0, full_years_between(self.experience_start, today or timezone.localdate()))

    def is_young(self, today: datetime.date | None = None) -> bool:
        """Молодой педагог: under 35 and in the first 3 years of pedagogical experience."""
        age = self.age(today)
        experience = self.experience_years(today)
        if age is None or experience is None:
            return False
        return age < YOUNG_TEACHER_MAX_AGE and experience < YOUNG_TEACHER_MAX_EXPERIENCE_YEARS

    def has_recent_courses(self, today: datetime.date | None = None) -> bool:
        """Курсы за последние 3 года: a completed course ending within the last three years."""
        annotated = getattr(self, "has_recent_courses_flag", None)  # PersonQuerySet.with_recent_courses()
        if annotated is not None and today is None:
            return annotated
        today = today or timezone.localdate()
        since = querysets.years_before(today, RECENT_COURSES_YEARS)
        return self.courses.filter(end_date__gt=since, end_date__lte=today).exists()


class Employment(BaseModel):
    """A person's work in one organisation in one position (место работы, должность)."""

    person = models.ForeignKey(Person, verbose_name=_("педагог"), on_delete=models.CASCADE, related_name="employments")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.PROTECT, related_name="employments"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("должность"), on_delete=models.PROTECT, related_name="employments"
    )
    kind = models.CharField(
        _("вид занятости"), max_length=16, choices=EmploymentKind.choices, default=EmploymentKind.MAIN
    )
    subjects = models.ManyToManyField(Subject, verbose_name=_("предметы"), blank=True, related_name="employments")
    grades = models.JSONField(_("классы (параллели)"), default=list, blank=True)
    start_date = models.DateField(_("работает в организации с"), null=True, blank=True)
    end_date = models.DateField(_("уволен(а)"), null=True, blank=True)
    is_manager = models.BooleanField(_("руководящий работник"), default=False)
    category = models.CharField(
        _("квалификационная категория"),
        max_length=16,
        choices=QualificationCategory.choices,
        default=QualificationCategory.NONE,
    )
    category_assigned_on = models.DateField(_("дата присвоения категории"), null=True, blank=True)
    category_expires_on = models.DateField(_("категория действует до"), null=True, blank=True, editable=False)

    objects = querysets.EmploymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("место работы")
        verbose_name_plural = _("места работы")
        ordering = ["person", "-kind", "organisation"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation", "position"],
                condition=Q(end_date__isnull=True),
                name="employment_unique_current_position",
                violation_error_message=rules.EMPLOYMENT_DUPLICATE,
                violation_error_code="employment_duplicate",
            ),
            models.CheckConstraint(
                name="employment_end_after_start",
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                violation_error_message=rules.EMPLOYMENT_END_BEFORE_START,
                violation_error_code="end_before_start",
            ),
            models.CheckConstraint(
                name="employment_category_date_given",
                condition=Q(category=QualificationCategory.NONE) | Q(category_assigned_on__isnull=False),
                violation_error_message=rules.CATEGORY_DATE_REQUIRED,
                violation_error_code="category_date_required",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "end_date"], name="employment_org_end"),
            models.Index(fields=["person", "end_date"], name="employment_person_end"),
            models.Index(fields=["category_expires_on"], name="employment_category_expiry"),
        ]

    def get_additional_data(self) -> dict:
        return {"person_id": self.person_id}

    def __str__(self) -> str:
        return f"{self.person} — {self.position}, {self.organisation}"

    def clean(self) -> None:
        errors = rules.employment_errors(
            start_date=self.start_date,
            end_date=self.end_date,
            category=self.category,
            category_assigned_on=self.category_assigned_on,
            today=timezone.localdate(),
        )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        self.category_expires_on = self.compute_category_expiry()
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "category_expires_on"}
        super().save(*args, **kwargs)

    def compute_category_expiry(self) -> datetime.date | None:
        years = CATEGORY_VALID_YEARS.get(self.category)
        if not years or self.category_assigned_on is None:
            return None
        return querysets.years_before(self.category_assigned_on, -years)

    @property
    def is_active(self) -> bool:
        return self.end_date is None or self.end_date >= timezone.localdate()

    def experience_in_organisation_years(self, today: datetime.date | None = None) -> int | None:
        if self.start_date is None:
            return None
        return max(0, full_years_between(self.start_date, today or timezone.localdate()))

    @property
    def grades_display(self) -> str:
        return ", ".join(str(g) for g in self.grades)


class PersonStatus(BaseModel):
    """A status of a pedagogical worker («учитель-методист», «учитель-наставник», эксперт …)."""

    person = models.ForeignKey(Person, verbose_name=_("педагог"), on_delete=models.CASCADE, related_name="statuses")
    kind = models.CharField(_("статус"), max_length=32, choices=PersonStatusKind.choices)
    since = models.DateField(_("с"), null=True, blank=True)

    objects = querysets.PersonOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("статус")
        verbose_name_plural = _("статусы")
        ordering = ["person", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                name="person_status_unique",
                violation_error_message=rules.STATUS_DUPLICATE,
                violation_error_code="status_duplicate",
            )
        ]

    def get_additional_data(self) -> dict:
        return {"person_id": self.person_id}

    def __str__(self) -> str:
        return self.get_kind_display()


class Award(BaseModel):
    """An award of a pedagogical worker (награда, почётное звание, грамота)."""

    person = models.ForeignKey(Person, verbose_name=_("педагог"), on_delete=models.CASCADE, related_name="awards")
    title = models.CharField(_("награда"), max_length=500)
    level = models.CharField(_("уровень"), max_length=16, choices=AwardLevel.choices)
    year = models.PositiveSmallIntegerField(_("год"), validators=[MinValueValidator(1950), MaxValueValidator(2100)])

    objects = querysets.PersonOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("награда")
        verbose_name_plural = _("награды")
        ordering = ["person", "-year", "title"]

    def get_additional_data(self) -> dict:
        return {"person_id": self.person_id}

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class CourseCompletion(BaseModel):
    """A further-training course a person has completed (курсы повышения квалификации)."""

    person = models.ForeignKey(Person, verbose_name=_("педагог"), on_delete=models.CASCADE, related_name="courses")
    provider = models.CharField(_("организация, проводившая обучение"), max_length=500)
    programme = models.CharField(_("программа"), max_length=1000)
    hours = models.PositiveSmallIntegerField(_("объём, часов"), validators=[MinValueValidator(1)])  # max: clean()
    start_date = models.DateField(_("начало"))
    end_date = models.DateField(_("окончание"))
    format = models.CharField(_("форма"), max_length=16, choices=CourseFormat.choices, blank=True)
    certificate_number = models.CharField(_("номер удостоверения"), max_length=64, blank=True)

    objects = querysets.PersonOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("пройденные курсы")
        verbose_name_plural = _("пройденные курсы")
        ordering = ["person", "-end_date"]
        constraints = [
            models.CheckConstraint(
                name="course_end_after_start",
                condition=Q(end_date__gte=models.F("start_date")),
                violation_error_message=rules.COURSE_END_BEFORE_START,
                violation_error_code="end_before_start",
            ),
            models.CheckConstraint(name="course_hours_positive", condition=Q(hours__gte=1)),
        ]
        indexes = [models.Index(fields=["person", "end_date"], name="course_person_end")]

    def get_additional_data(self) -> dict:
        return {"person_id": self.person_id}

    def __str__(self) -> str:
        return f"{self.programme} ({self.hours} ч., {self.end_date:%d.%m.%Y})"

    def clean(self) -> None:
        errors = rules.course_errors(
            start_date=self.start_date, end_date=self.end_date, hours=self.hours, today=timezone.localdate()
        )
        if errors:
            raise ValidationError(errors)


class SchoolClass(BaseModel):
    """A class of a school in one academic year (e.g. «5А», 2025/26)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.CASCADE, related_name="classes"
    )
    academic_year = models.PositiveSmallIntegerField(
        _("учебный год (год начала)"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    grade = models.PositiveSmallIntegerField(_("параллель"), validators=[MinValueValidator(1), MaxValueValidator(11)])
    letter = models.CharField(_("литера"), max_length=8, blank=True)
    students_count = models.PositiveSmallIntegerField(_("обучающихся"), null=True, blank=True)

    objects = querysets.SchoolClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("класс")
        verbose_name_plural = _("классы")
        ordering = ["organisation", "-academic_year", "grade", "letter"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "academic_year", "grade", "letter"],
                name="school_class_unique",
                violation_error_message=rules.SCHOOL_CLASS_DUPLICATE,
                violation_error_code="school_class_duplicate",
            ),
            models.CheckConstraint(name="school_class_grade_range", condition=Q(grade__gte=1, grade__lte=11)),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.academic_year_display})"

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"

    @property
    def academic_year_display(self) -> str:
        return f"{self.academic_year}/{(self.academic_year + 1) % 100:02d}"


class TeachingAssignment(BaseModel):
    """Who teaches which subject in which class (учебная нагрузка: педагог × класс × предмет × год)."""

    person = models.ForeignKey(
        Person, verbose_name=_("педагог"), on_delete=models.CASCADE, related_name="teaching_assignments"
    )
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("класс"), on_delete=models.CASCADE, related_name="teaching_assignments"
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("предмет"), on_delete=models.PROTECT, related_name="teaching_assignments"
    )
    hours_per_week = models.DecimalField(_("часов в неделю"), max_digits=4, decimal_places=1, null=True, blank=True)

    objects = querysets.TeachingAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("учебная нагрузка")
        verbose_name_plural = _("учебная нагрузка")
        ordering = ["school_class", "subject", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "subject", "person"],
                name="teaching_assignment_unique",
                violation_error_message=rules.ASSIGNMENT_DUPLICATE,
                violation_error_code="assignment_duplicate",
            ),
        ]

    def get_additional_data(self) -> dict:
        return {"person_id": self.person_id}

    def __str__(self) -> str:
        return f"{self.person.short_name}: {self.subject}, {self.school_class}"

    def clean(self) -> None:
        if self.person_id is None or self.school_class_id is None:
            return
        works_there = Person.objects.filter(pk=self.person_id).working_in([self.school_class.organisation_id]).exists()
        if not works_there:
            raise ValidationError(
                {"person": ValidationError(rules.ASSIGNMENT_PERSON_NOT_IN_ORGANISATION, code="not_in_organisation")}
            )

    @property
    def academic_year(self) -> int:
        return self.school_class.academic_year


class PersonMatchRequestQuerySet(ScopedQuerySet):
    """Requests are reached through their target organisation; who may *decide* one is :meth:`reviewable_by`."""

    def scope_q(self, scope: UserScope) -> Q:
        return any_of(
            (scope.territory_ids, Q(organisation__territory_id__in=scope.territory_ids)),
            (scope.organisation_ids, Q(organisation_id__in=scope.organisation_ids)),
        )

    def reviewable_by(self, user):
        """Requests ``user`` may see with their match and confirm or reject.

        The user's CHANGE scope covers both sides — the target organisation and every current organisation of
        the person the request matches — and the request is not their own (a requester never decides their
        own request: else whether they could confirm it would tell them whether the person exists elsewhere).
        """
        scope = scope_for(user, Action.CHANGE)
        requests = self.visible_to(user, Action.CHANGE).exclude(requested_by=user)
        if scope.is_global:
            return requests
        outside = Employment.objects.filter(querysets.active_on(), person=OuterRef("matched_person")).exclude(
            Employment.objects.all().scope_q(scope)
        )
        return requests.filter(Q(matched_person__isnull=True) | ~Exists(outside))

    def pending(self):
        return self.filter(state=MatchRequestState.PENDING)


class PersonMatchRequest(BaseModel):
    """Заявка на подтверждение: a person that a form, the API or an import submitted for an organisation.

    A user who is not an administrator never creates a person nor matches one outside their scope on their
    own: the values wait here, «на подтверждении у методиста», whether or not such a person exists anywhere,
    so the answer tells nothing about other organisations' staff (no СНИЛС oracle). A user whose scope covers
    the target organisation and the matched person's current organisations confirms the new person or the
    move (:func:`metodist.registry.services.person_match_request_confirm`) or rejects the request.

    A request with ``snils_change_for`` is a non-administrator's change of that person's СНИЛС (see
    :func:`metodist.registry.services.person_update`); ``matched_person`` is then whoever holds that СНИЛС.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.CASCADE, related_name="person_match_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто отправил"),
        on_delete=models.PROTECT,
        related_name="person_match_requests",
    )
    source = models.CharField(_("откуда"), max_length=16, choices=MatchRequestSource.choices)
    source_label = models.CharField(_("подробнее"), max_length=300, blank=True)
    last_name = models.CharField(_("фамилия"), max_length=150)
    first_name = models.CharField(_("имя"), max_length=150)
    patronymic = models.CharField(_("отчество"), max_length=150, blank=True)
    birth_date = models.DateField(_("дата рождения"), null=True, blank=True)
    snils = models.CharField(_("СНИЛС"), max_length=14, blank=True)
    person_values = models.JSONField(_("остальные сведения о педагоге"), default=dict, blank=True)
    employment_values = models.JSONField(_("места работы"), default=list, blank=True)
    matched_person = models.ForeignKey(
        Person,
        verbose_name=_("найденный в реестре педагог"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("состояние"), max_length=16, choices=MatchRequestState.choices, default=MatchRequestState.PENDING
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто рассмотрел"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("рассмотрена"), null=True, blank=True)
    comment = models.CharField(_("комментарий"), max_length=1000, blank=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("педагог в реестре"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="match_requests",
        help_text=_("Созданный или найденный педагог, когда заявка подтверждена."),
    )
    snils_change_for = models.ForeignKey(
        Person,
        verbose_name=_("изменение СНИЛС педагога"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="snils_change_requests",
        help_text=_("Заявка на изменение СНИЛС этого педагога (не на нового педагога)."),
    )

    objects = PersonMatchRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("заявка на подтверждение")
        verbose_name_plural = _("заявки на подтверждение")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "organisation"], name="match_request_state_org"),
            models.Index(fields=["snils"], name="match_request_snils"),
        ]
        constraints = [
            models.CheckConstraint(
                name="match_request_resolved",
                condition=Q(state=MatchRequestState.PENDING, resolved_at__isnull=True)
                | Q(~Q(state=MatchRequestState.PENDING), resolved_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} → {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("registry:match_request_detail", args=[self.pk])

    def get_additional_data(self) -> dict:
        return {"person_id": self.person_id} if self.person_id else {}

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)

    @property
    def is_pending(self) -> bool:
        return self.state == MatchRequestState.PENDING
