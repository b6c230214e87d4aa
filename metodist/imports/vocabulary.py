"""The words people write in staff and organisation lists, and what they mean in the register."""

from __future__ import annotations

import re

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
    "педагог до": "Педагог дополнительного образования",
    "педагог доп образования": "Педагог дополнительного образования",
    "зам директора": "Заместитель директора",
    "зам": "Заместитель директора",
    "заместитель": "Заместитель директора",
    "замдиректора": "Заместитель директора",
    "зам заведующей": "Заместитель заведующего",
    "заместитель заведующей": "Заместитель заведующего",
    "директор школы": "Директор",
    "и о директора": "Директор",
    "заведующая детским садом": "Заведующий",
    "старшая вожатая": "Старший вожатый",
    "вожатая": "Старший вожатый",
    "соцпедагог": "Социальный педагог",
    "социальный педагог": "Социальный педагог",
    "дефектолог": "Учитель-дефектолог",
    "олигофренопедагог": "Учитель-дефектолог",
    "сурдопедагог": "Учитель-дефектолог",
    "тифлопедагог": "Учитель-дефектолог",
    "муз руководитель": "Музыкальный руководитель",
    "музыкальный работник": "Музыкальный руководитель",
    "инструктор по физкультуре": "Инструктор по физической культуре",
    "инструктор по фк": "Инструктор по физической культуре",
    "преподаватель организатор": "Преподаватель-организатор основ безопасности и защиты Родины",
    "преподаватель организатор обж": "Преподаватель-организатор основ безопасности и защиты Родины",
    "преподаватель организатор обзр": "Преподаватель-организатор основ безопасности и защиты Родины",
    "педагог организатор обж": "Преподаватель-организатор основ безопасности и защиты Родины",
    "тренер": "Тренер-преподаватель",
    "мастер п о": "Мастер производственного обучения",
    "мастер по": "Мастер производственного обучения",
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
    "иностранный язык английский": "Английский язык",
    "английский язык": "Английский язык",
    "основы безопасности жизнедеятельности": "Основы безопасности и защиты Родины",
    "логопедия": "Коррекционная педагогика",
}

# What follows a position's name without naming a subject: «воспитатель ГПД», «директор школы».
POSITION_QUALIFIERS = {
    "гпд",
    "группы продленного дня",
    "групп продленного дня",
    "школы",
    "школы интерната",
    "оо",
    "моу",
    "доу",
    "д с",
    "детского сада",
    "высшей категории",
    "первой категории",
}
# The subjects of «учитель начальных классов»: wording whose genitive the rules below do not make.
SUBJECT_GENITIVES = {
    "начальных классов": "Начальные классы",
    "начальной школы": "Начальные классы",
    "начальные классы": "Начальные классы",
    "физкультуры": "Физическая культура",
    "физ культуры": "Физическая культура",
    "иностранного языка английского": "Английский язык",
    "иностранного языка английский": "Английский язык",
    "иностранного языка немецкого": "Немецкий язык",
    "иностранного языка французского": "Французский язык",
    "обж": "Основы безопасности и защиты Родины",
    "обзр": "Основы безопасности и защиты Родины",
    "основ безопасности и защиты родины": "Основы безопасности и защиты Родины",
    "основ безопасности жизнедеятельности": "Основы безопасности и защиты Родины",
    "изо": "Изобразительное искусство",
    "технологии": "Труд (технология)",
    "труда": "Труд (технология)",
    "труда технологии": "Труд (технология)",
    "информатики и икт": "Информатика",
}
_HUSHING = tuple("гкхжчшщ")
_ABBREVIATION = re.compile(r"^[А-ЯЁA-Z]{2,}$")


def _genitive_word(word: str) -> str:
    """The genitive singular of one word of a subject name, by the common Russian endings."""
    if _ABBREVIATION.match(word) or word == "и":
        return word
    lower = word.lower()
    for ending, replacement in (
        ("ский", "ского"),
        ("ный", "ного"),
        ("ний", "него"),
        ("ый", "ого"),
        ("ий", "ого"),
        ("ой", "ого"),
        ("ая", "ой"),
        ("яя", "ей"),
        ("ое", "ого"),
        ("ее", "его"),
        ("ия", "ии"),
        ("ие", "ия"),
        ("ость", "ости"),
        ("ь", "и"),
        ("я", "и"),
        ("о", "а"),
    ):
        if lower.endswith(ending):
            return lower[: -len(ending)] + replacement
    if lower.endswith("а"):
        return lower[:-1] + ("и" if lower[:-1].endswith(_HUSHING) else "ы")
    if lower[-1:].isalpha() and lower[-1] not in "аеёиоуыэюя":
        return lower + "а"
    return lower


def genitive(name: str) -> str:
    """«Русский язык» → «русского языка», «Физическая культура» → «физической культуры» (normalised)."""
    text = _PARENTHESIS.sub(" ", name)
    return normalise(" ".join(_genitive_word(word) for word in text.split()))


_PARENTHESIS = re.compile(r"\([^)]*\)")


KIND_WORDS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    # (kind, substrings of the normalised text, whole words)
    (
        OrganisationKind.METHODOLOGICAL_CENTRE,
        ("методическ", "развития образования", "повышения квалификации", "дополнительного профессионального"),
        ("имц", "ммц", "ммс", "рмц", "цнппм", "иро", "ипк", "дпо"),
    ),
    (
        # Universities have no kind of their own in the register: they are professional education too.
        OrganisationKind.COLLEGE,
        (
            "колледж",
            "техникум",
            "училищ",
            "профессиональное образовательное",
            "профессиональная образовательная",
            "профессионального образования",
            "университет",
            "институт",
            "академи",
            "консерватори",
            "высшего образования",
        ),
        ("спо", "поо", "гапоу", "гбпоу", "бпоу", "апоу", "поу", "вуз", "фгбоу во", "гоу впо"),
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
        (
            "школ",
            "гимнази",
            "лицей",
            "лицея",
            "общеобразовательн",
            "центр образования",
            "образовательный комплекс",
            "образовательного комплекса",
            "образовательный центр",
            "кадетский корпус",
        ),
        ("сош", "оош", "нош", "цо", "мбоу", "маоу", "мкоу", "моу", "гбоу", "гоу", "соош", "оо", "ок"),
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
        if any(f" {phrase} " in padded for phrase in whole_words if " " in phrase):
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
