"""Register the teachers' diagnostic data with django-auditlog: every change is recorded with the person.

Answers and ratings are working copies of a questionnaire and a card, saved at every click; the submitted
results and the completed observation they become are audited.
"""

from auditlog.registry import auditlog
from django.db.models import Model

from .models import Observation, Participant, Result

_TECHNICAL = {"id", "created_at", "updated_at"}


def _data_fields(model: type[Model]) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if field.name not in _TECHNICAL]


for model in (Participant, Observation, Result):
    auditlog.register(model, include_fields=_data_fields(model))
