"""An uploaded staff or organisation list, kept between the preview and the confirmation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from metodist.core.models import BaseModel
from metodist.core.permissions import Action
from metodist.core.scoping import ScopedQuerySet, UserScope, scope_for


class ImportKind(models.TextChoices):
    STAFF = "staff", _("Список педагогических работников")
    ORGANISATIONS = "organisations", _("Список организаций")


class ImportStatus(models.TextChoices):
    VALIDATED = "validated", _("Проверен, ждёт подтверждения")
    APPLIED = "applied", _("Загружен")
    FAILED = "failed", _("Не загружен: ошибки в файле")


class ImportBatchQuerySet(ScopedQuerySet):
    """A user sees the files they uploaded themselves; an administrator sees every file."""

    def scope_q(self, scope: UserScope) -> Q:  # pragma: no cover - visible_to needs the user, see below
        return Q(pk__in=[])

    def visible_to(self, user, action: str = Action.IMPORT, capability: str | None = None):
        scope = scope_for(user, action, capability)
        if scope.is_global:
            return self.all()
        if scope.is_empty:
            return self.none()
        return self.filter(created_by=user)


class ImportBatch(BaseModel):
    """One uploaded file: what it is, where it goes, what the check found and whether it was loaded."""

    kind = models.CharField(_("что загружается"), max_length=16, choices=ImportKind.choices)
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("организация"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
        help_text=_("Для списка педагогических работников — организация, в которую он загружается."),
    )
    file = models.FileField(_("файл"), upload_to="imports/%Y/%m/")
    original_filename = models.CharField(_("имя файла"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("загрузил"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    status = models.CharField(
        _("состояние"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.VALIDATED
    )
    rows_total = models.PositiveIntegerField(_("строк с данными"), default=0)
    rows_valid = models.PositiveIntegerField(_("корректных строк"), default=0)
    rows_invalid = models.PositiveIntegerField(_("строк с ошибками"), default=0)
    rows_new = models.PositiveIntegerField(_("новых"), default=0)
    rows_updated = models.PositiveIntegerField(_("изменённых"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("без изменений"), default=0)
    only_valid_rows = models.BooleanField(_("загружены только корректные строки"), default=False)
    report = models.JSONField(_("результат проверки"), default=dict, blank=True)
    applied_at = models.DateTimeField(_("загружен"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("загрузка списка")
        verbose_name_plural = _("загрузки списков")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "created_at"], name="import_batch_user_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_filename}"

    def get_absolute_url(self) -> str:
        return reverse("imports:preview", args=[self.pk])

    @property
    def can_apply(self) -> bool:
        return self.status == ImportStatus.VALIDATED and self.rows_valid > 0
