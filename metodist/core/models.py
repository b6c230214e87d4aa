"""Abstract models every domain model builds on."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Adds creation and last-change timestamps."""

    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        abstract = True


class DataExport(models.Model):
    """A download of personal or organisation data (выгрузка): who, what, how many rows, when.

    Also one row per API list request over personal data (``file_format="api"``), with the ids read.
    A file export is written as STARTED and becomes DONE only when the last row was produced, or
    FAILED — the audit never says a download happened when it did not.
    """

    class Outcome(models.TextChoices):
        STARTED = "started", _("начата")
        DONE = "done", _("выполнена")
        FAILED = "failed", _("сбой")

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("пользователь"), on_delete=models.PROTECT, related_name="exports"
    )
    what = models.CharField(_("что выгружено"), max_length=255)
    file_format = models.CharField(_("формат"), max_length=8)
    row_count = models.PositiveIntegerField(_("строк"))
    query = models.CharField(_("условия отбора"), max_length=2000, blank=True)
    remote_addr = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    outcome = models.CharField(_("результат"), max_length=8, choices=Outcome.choices, default=Outcome.DONE)
    object_ids = models.JSONField(_("прочитанные записи"), default=list, blank=True)
    created_at = models.DateTimeField(_("когда"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("выгрузка данных")
        verbose_name_plural = _("выгрузки данных")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user}: {self.what} ({self.row_count})"


class TableVersion(models.Model):
    """The version of one database table: bumped by a PostgreSQL trigger on every write to it.

    Read by :func:`metodist.core.counts.cached_count` to know whether a cached count is still exact.
    """

    table_name = models.CharField(_("таблица"), max_length=63, primary_key=True)
    version = models.BigIntegerField(_("версия"))

    class Meta:
        verbose_name = _("версия таблицы")
        verbose_name_plural = _("версии таблиц")
        ordering = ["table_name"]

    def __str__(self) -> str:
        return f"{self.table_name}: {self.version}"
