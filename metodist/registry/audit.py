"""Register personal and organisation data with django-auditlog: every change is recorded.

Only the model's own data fields are tracked (not the id, timestamps or reverse relations), so the
history a person's page shows reads as what a user changed.
"""

from auditlog.registry import auditlog

from .models import Award, CourseCompletion, Employment, Organisation, Person, PersonStatus, TeachingAssignment

_TECHNICAL = {"id", "created_at", "updated_at"}


def _data_fields(model) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if field.name not in _TECHNICAL]


for model in (Person, CourseCompletion, Award, PersonStatus, TeachingAssignment, Organisation):
    auditlog.register(model, include_fields=_data_fields(model))
auditlog.register(Employment, include_fields=[*_data_fields(Employment), "subjects"], m2m_fields={"subjects"})
