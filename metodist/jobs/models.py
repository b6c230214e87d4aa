"""The project's own record of background work: what runs, for whom, how far it got and what it produced."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from metodist.core.models import BaseModel
from metodist.core.permissions import Action
from metodist.core.scoping import scope_for

if TYPE_CHECKING:
    from metodist.core.types import AnyUser


class JobState(models.TextChoices):
    QUEUED = "queued", _("В очереди")
    RUNNING = "running", _("Выполняется")
    SUCCEEDED = "succeeded", _("Готово")
    FAILED = "failed", _("Не выполнено")
    CANCELLED = "cancelled", _("Отменено")


ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)
FINISHED_STATES = (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


class JobQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: AnyUser) -> JobQuerySet:
        """A user sees their own jobs; an administrator (global scope) sees everyone's."""
        if not user.is_authenticated:
            return self.none()
        if scope_for(user, Action.VIEW).is_global:
            return self.all()
        return self.filter(owner=user)

    def active(self) -> JobQuerySet:
        return self.filter(state__in=ACTIVE_STATES)


class Job(BaseModel):
    """Задание: one piece of long work (checking or loading a file, a large export) run by a task worker.

    The row is the user's handle on the work: the page polls it for progress, finds the result on it, and
    cancels or repeats it. Files on it (the uploaded input, the produced result) are personal data: they
    live in the private media storage, are served only through the owner's download view and are deleted
    after ``RETENTION_DAYS``.
    """

    kind = models.CharField(_("вид"), max_length=40)
    title = models.CharField(_("что делается"), max_length=255)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="jobs"
    )
    state = models.CharField(_("состояние"), max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    params = models.JSONField(_("параметры"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(_("сделано"), default=0)
    progress_total = models.PositiveIntegerField(_("всего"), default=0)
    message = models.CharField(_("сообщение"), max_length=500, blank=True)
    input_file = models.FileField(_("исходный файл"), upload_to="jobs/input/%Y/%m/", blank=True)
    input_filename = models.CharField(_("имя исходного файла"), max_length=255, blank=True)
    result_file = models.FileField(_("файл результата"), upload_to="jobs/results/%Y/%m/", blank=True)
    result_filename = models.CharField(_("имя файла результата"), max_length=255, blank=True)
    result_url = models.CharField(_("страница результата"), max_length=500, blank=True)
    error = models.TextField(_("ошибка"), blank=True)
    task_id = models.CharField(_("задача в очереди"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    cancel_requested = models.BooleanField(_("запрошена отмена"), default=False)
    heartbeat_at = models.DateTimeField(_("последний признак жизни"), null=True, blank=True)
    started_at = models.DateTimeField(_("начато"), null=True, blank=True)
    finished_at = models.DateTimeField(_("закончено"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("задание")
        verbose_name_plural = _("задания")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="job_owner_created"),
            models.Index(fields=["state", "heartbeat_at"], name="job_state_heartbeat"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=JobState.values), name="job_state_valid"),
            models.CheckConstraint(
                condition=Q(progress_total=0) | Q(progress_done__lte=models.F("progress_total")),
                name="job_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def percent(self) -> int | None:
        """How far the job got, 0–100; ``None`` while the amount of work is not known yet."""
        if self.state == JobState.SUCCEEDED:
            return 100
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def can_cancel(self) -> bool:
        return self.is_active and not self.cancel_requested

    @property
    def can_retry(self) -> bool:
        return self.state in (JobState.FAILED, JobState.CANCELLED)
