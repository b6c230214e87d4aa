"""Register personal and organisation data with django-auditlog: every change is recorded."""

from auditlog.registry import auditlog

from .models import Award, CourseCompletion, Employment, Organisation, Person, PersonStatus, TeachingAssignment

auditlog.register(Person)
auditlog.register(Employment, m2m_fields={"subjects"})
auditlog.register(CourseCompletion)
auditlog.register(Award)
auditlog.register(PersonStatus)
auditlog.register(TeachingAssignment)
auditlog.register(Organisation)
