"""Periodic work of the diagnostics (autodiscovered by the jobs app): retention of observation attachments.

Attachments are evidence of an observation (a photo of the board, the lesson plan): they are kept for
``DIAGNOSTICS_ATTACHMENT_RETENTION_DAYS`` (default three years, the usual span of a teacher's certification
cycle of evidence) after the lesson and then deleted, file and row; the observation and its ratings stay.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from metodist.jobs.periodic import periodic

from .models import ObservationAttachment

DEFAULT_ATTACHMENT_RETENTION_DAYS = 3 * 365


def attachment_retention_days() -> int:
    return int(getattr(settings, "DIAGNOSTICS_ATTACHMENT_RETENTION_DAYS", DEFAULT_ATTACHMENT_RETENTION_DAYS))


def attachments_expire(*, today: datetime.date | None = None) -> int:
    """Delete the attachments of lessons older than the retention period. Returns how many."""
    cutoff = (today or timezone.localdate()) - datetime.timedelta(days=attachment_retention_days())
    deleted = 0
    for attachment in ObservationAttachment.objects.filter(observation__lesson_date__lt=cutoff).only("pk", "file"):
        if attachment.file:
            attachment.file.storage.delete(attachment.file.name)
        attachment.delete()
        deleted += 1
    return deleted


@periodic("diagnostics.attachments_retention")
def expire_attachments() -> int:
    return attachments_expire()
