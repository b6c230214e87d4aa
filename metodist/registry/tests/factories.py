"""factory_boy factories of the registry."""

import datetime

import factory
from factory.django import DjangoModelFactory

from metodist.registry import models
from metodist.registry.choices import OrganisationKind, QualificationCategory, TerritoryKind
from metodist.registry.validators import inn_with_checksum, ogrn_with_checksum


def _inn(n: int) -> str:
    """A valid 10-digit ИНН built from a sequence number."""
    return inn_with_checksum(f"77{n % 10_000_000:07d}")


def _ogrn(n: int) -> str:
    return ogrn_with_checksum(f"{102770000000 + n:012d}")


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = models.Territory

    name = factory.Sequence(lambda n: f"Регион {n}")
    kind = TerritoryKind.REGION
    parent = None


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = models.Territory

    name = factory.Sequence(lambda n: f"Муниципальный округ {n}")
    kind = TerritoryKind.MUNICIPALITY
    parent = factory.SubFactory(RegionFactory)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = models.Organisation

    territory = factory.SubFactory(MunicipalityFactory)
    kind = OrganisationKind.SCHOOL
    short_name = factory.Sequence(lambda n: f"МБОУ СОШ № {n}")
    full_name = factory.LazyAttribute(
        lambda o: f"Муниципальное бюджетное общеобразовательное учреждение {o.short_name}"
    )
    inn = factory.Sequence(_inn)
    ogrn = factory.Sequence(_ogrn)
    address = "ул. Ленина, 1"


def position(name: str = "Учитель") -> models.Position:
    return models.Position.objects.get(name=name)


def subject(name: str = "Математика") -> models.Subject:
    return models.Subject.objects.get(name=name)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = models.Person

    last_name = factory.Sequence(lambda n: f"Иванова{n}")
    first_name = "Мария"
    patronymic = "Петровна"
    gender = "f"
    birth_date = datetime.date(1980, 5, 17)
    experience_start = datetime.date(2003, 9, 1)
    email = factory.Sequence(lambda n: f"teacher{n}@example.org")


class EmploymentFactory(DjangoModelFactory):
    class Meta:
        model = models.Employment

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    position = factory.LazyFunction(position)
    start_date = datetime.date(2010, 9, 1)
    category = QualificationCategory.FIRST
    category_assigned_on = datetime.date(2022, 3, 1)


class CourseCompletionFactory(DjangoModelFactory):
    class Meta:
        model = models.CourseCompletion

    person = factory.SubFactory(PersonFactory)
    provider = "Институт развития образования"
    programme = "Реализация требований обновлённых ФГОС"
    hours = 36
    start_date = datetime.date(2024, 3, 1)
    end_date = datetime.date(2024, 3, 20)


class SchoolClassFactory(DjangoModelFactory):
    class Meta:
        model = models.SchoolClass

    organisation = factory.SubFactory(OrganisationFactory)
    academic_year = 2025
    grade = 5
    letter = factory.Sequence(lambda n: "АБВГДЕЖ"[n % 7])


class TeachingAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = models.TeachingAssignment

    person = factory.SubFactory(PersonFactory)
    school_class = factory.SubFactory(SchoolClassFactory)
    subject = factory.LazyFunction(subject)
