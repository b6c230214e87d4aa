"""The words people write in staff and organisation lists, and what they mean in the register."""

from __future__ import annotations

from metodist.registry.choices import EmploymentKind, InnovationSite, OrganisationKind, QualificationCategory

from .parsing import normalise

GENDERS = {
    "ж": "f",
    "жен": "f",
    "женский": "f",
    "f": "f",
    "female": "f",
    "м": "m",
    "муж": "m",
    "мужской": "m",
    "m": "m",
    "male": "m",
}

EMPLOYMENT_KINDS = {
    "нет": EmploymentKind.MAIN,
    "н": EmploymentKind.MAIN,
    "0": EmploymentKind.MAIN,
    "основное": EmploymentKind.MAIN,
    "основной": EmploymentKind.MAIN,
    "основное место работы": EmploymentKind.MAIN,
    "основная": EmploymentKind.MAIN,
    "да": EmploymentKind.PART_TIME,
    "д": EmploymentKind.PART_TIME,
    "1": EmploymentKind.PART_TIME,
    "внешний": EmploymentKind.PART_TIME,
    "внешнее": EmploymentKind.PART_TIME,
    "внешнее совместительство": EmploymentKind.PART_TIME,
    "внешний совместитель": EmploymentKind.PART_TIME,
    "совместитель": EmploymentKind.PART_TIME,
    "внутренний": EmploymentKind.INTERNAL,
    "внутреннее": EmploymentKind.INTERNAL,
    "внутреннее совместительство": EmploymentKind.INTERNAL,
    "внутренний совместитель": EmploymentKind.INTERNAL,
}

CATEGORY_NAMES = {
    "высшая": QualificationCategory.HIGHEST,
    "высшая категория": QualificationCategory.HIGHEST,
    "высшая квалификационная категория": QualificationCategory.HIGHEST,
    "высшая кк": QualificationCategory.HIGHEST,
    "вкк": QualificationCategory.HIGHEST,
    "первая": QualificationCategory.FIRST,
    "первая категория": QualificationCategory.FIRST,
    "первая квалификационная категория": QualificationCategory.FIRST,
    "первая кк": QualificationCategory.FIRST,
    "1": QualificationCategory.FIRST,
    "1 категория": QualificationCategory.FIRST,
    "1 кк": QualificationCategory.FIRST,
    "1кк": QualificationCategory.FIRST,
    "сзд": QualificationCategory.CONFORMITY,
    "соответствие": QualificationCategory.CONFORMITY,
    "соответствие занимаемой должности": QualificationCategory.CONFORMITY,
    "соответствует занимаемой должности": QualificationCategory.CONFORMITY,
    "без категории": QualificationCategory.NONE,
    "нет": QualificationCategory.NONE,
    "нет категории": QualificationCategory.NONE,
    "не имеет": QualificationCategory.NONE,
    "бк": QualificationCategory.NONE,
    "педагог методист": QualificationCategory.METHODIST,
    "педагог наставник": QualificationCategory.MENTOR,
}
CATEGORY_NAMES.update({normalise(label): value for value, label in QualificationCategory.choices})
CATEGORY_ALLOWED = (
    "высшая, первая, СЗД (соответствие занимаемой должности), без категории, педагог-методист, педагог-наставник"
)

# Names people write instead of the nomenclature's and the subject list's.
POSITION_ALIASES = {
    "пдо": "Педагог дополнительного образования",
    "зам директора": "Заместитель директора",
    "заместитель руководителя": "Заместитель директора",
    "зам заведующего": "Заместитель заведующего",
    "заведующая": "Заведующий",
    "руководитель": "Директор",
    "психолог": "Педагог-психолог",
    "педагог психолог": "Педагог-психолог",
    "библиотекарь": "Педагог-библиотекарь",
    "вожатый": "Старший вожатый",
    "советник директора": ("Советник директора по воспитанию и взаимодействию с детскими общественными объединениями"),
    "советник директора по воспитанию": (
        "Советник директора по воспитанию и взаимодействию с детскими общественными объединениями"
    ),
}
SUBJECT_ALIASES = {
    "изо": "Изобразительное искусство",
    "физкультура": "Физическая культура",
    "физ культура": "Физическая культура",
    "обж": "Основы безопасности и защиты Родины",
    "обзр": "Основы безопасности и защиты Родины",
    "технология": "Труд (технология)",
    "труд": "Труд (технология)",
    "русский": "Русский язык",
    "английский": "Английский язык",
    "немецкий": "Немецкий язык",
    "французский": "Французский язык",
    "начальная школа": "Начальные классы",
    "начальные классы": "Начальные классы",
    "информатика и икт": "Информатика",
    "родной русский язык": "Родной язык",
    "обществознание": "Обществознание",
}


KIND_WORDS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    # (kind, substrings of the normalised text, whole words)
    (
        OrganisationKind.METHODOLOGICAL_CENTRE,
        ("методическ",),
        ("имц", "ммц", "ммс", "рмц", "цнппм"),
    ),
    (
        OrganisationKind.COLLEGE,
        ("колледж", "техникум", "училищ"),
        ("спо", "поо", "гапоу", "гбпоу", "бпоу", "апоу", "поу"),
    ),
    (
        OrganisationKind.ADDITIONAL,
        (
            "дополнительного образования",
            "детского творчества",
            "юных техников",
            "юных натуралистов",
            "спортивная школа",
            "школа искусств",
            "музыкальная школа",
            "художественная школа",
        ),
        ("до", "удо", "дод", "ддт", "цдо", "цдт", "дют", "дюсш", "сюн", "сют", "дши", "дмш", "дхш", "мбудо", "маудо"),
    ),
    (
        OrganisationKind.KINDERGARTEN,
        ("детский сад", "дошкольн", "д с "),
        ("доу", "мбдоу", "мадоу", "мкдоу", "мдоу", "гбдоу", "ясли", "сад"),
    ),
    (
        OrganisationKind.SCHOOL,
        ("школ", "гимнази", "лицей", "лицея", "общеобразовательн"),
        ("сош", "оош", "нош", "цо", "мбоу", "маоу", "мкоу", "моу", "гбоу", "гоу", "соош", "оо"),
    ),
]
KIND_NAMES = {normalise(label): value for value, label in OrganisationKind.choices} | {
    value: value for value in OrganisationKind.values
}


def organisation_kind_from_text(value: str) -> str | None:
    """«СОШ», «гимназия» → school; «МБДОУ», «детский сад» → kindergarten; … ``None`` when unknown."""
    text = normalise(value)
    if not text:
        return None
    if text in KIND_NAMES:
        return KIND_NAMES[text]
    words = set(text.split())
    padded = f" {text} "
    for kind, parts, whole_words in KIND_WORDS:
        if any(part in padded for part in parts) or words & set(whole_words):
            return kind
        if kind == OrganisationKind.KINDERGARTEN and any(w.endswith("доу") for w in words):
            return kind
    return None


INNOVATION = {
    "мип": InnovationSite.MUNICIPAL,
    "муниципальная": InnovationSite.MUNICIPAL,
    "муниципальная инновационная площадка": InnovationSite.MUNICIPAL,
    "рип": InnovationSite.REGIONAL,
    "региональная": InnovationSite.REGIONAL,
    "региональная инновационная площадка": InnovationSite.REGIONAL,
    "фип": InnovationSite.FEDERAL,
    "федеральная": InnovationSite.FEDERAL,
    "федеральная инновационная площадка": InnovationSite.FEDERAL,
    "нет": InnovationSite.NONE,
    "н": InnovationSite.NONE,
    "0": InnovationSite.NONE,
    "": InnovationSite.NONE,
}
MUNICIPALITY_WORDS = {
    "муниципальный",
    "муниципальное",
    "муниципального",
    "образование",
    "район",
    "округ",
    "городской",
    "мо",
    "го",
    "мр",
    "г",
    "город",
}
