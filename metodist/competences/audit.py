"""Register teachers' deficits with django-auditlog: every proposal, decision and closing is recorded.

A deficit is personal data of the teacher; each entry carries ``person_id`` (``TeacherDeficit.
get_additional_data``), so the registry's person page shows it in the person's history, filtered through
the deficit's own scope (``metodist.core.history.scoped_history``).
"""

from auditlog.registry import auditlog

from .models import TeacherDeficit

_TECHNICAL = {"id", "created_at", "updated_at"}

auditlog.register(
    TeacherDeficit,
    include_fields=[field.name for field in TeacherDeficit._meta.concrete_fields if field.name not in _TECHNICAL],
)
