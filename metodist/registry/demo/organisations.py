"""The demo region, its municipality and its organisations."""

from __future__ import annotations

from dataclasses import dataclass

from metodist.registry import models as registry
from metodist.registry.choices import (
    InnovationSite,
    OrganisationKind,
    TerritoryKind,
)

from .context import (
    MUNICIPALITY_GENITIVE,
    MUNICIPALITY_NAME,
    REGION_GENITIVE,
    REGION_NAME,
    TOWN,
    DemoContext,
    OrgPlan,
    phone_number,
)
from .data import (
    VILLAGES,
)

# ---------------------------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------------------------

SCHOOL_PROFILES = {"gymnasium", "lyceum", "sosh", "sosh_uiop", "sosh_rural", "oosh", "nosh"}
PROFILE_KIND = {
    **dict.fromkeys(SCHOOL_PROFILES, OrganisationKind.SCHOOL),
    "kindergarten": OrganisationKind.KINDERGARTEN,
    "cdo": OrganisationKind.ADDITIONAL,
    "sport": OrganisationKind.ADDITIONAL,
    "college": OrganisationKind.COLLEGE,
    "imc": OrganisationKind.METHODOLOGICAL_CENTRE,
}


def organisation_names(
    profile: str,
    *,
    number: int | None = None,
    village: tuple[str, str, str] | None = None,
    title: str = "",
    owner_genitive: str = MUNICIPALITY_GENITIVE,
) -> tuple[str, str]:
    """(краткое, полное наименование) of an organisation of ``profile``."""
    no = f" № {number}" if number else ""
    mbou = "Муниципальное бюджетное общеобразовательное учреждение"
    if profile in ("sosh_rural", "oosh", "nosh") and village:
        level = {"sosh_rural": ("СОШ", "средняя"), "oosh": ("ООШ", "основная"), "nosh": ("НОШ", "начальная")}[profile]
        short = f"МБОУ «{village[1]} {level[0]}»"
        return short, f"{mbou} «{village[1]} {level[1]} общеобразовательная школа» {owner_genitive}"
    if profile == "gymnasium":
        return f"МБОУ «Гимназия{no}»", f"{mbou} «Гимназия{no}» {owner_genitive}"
    if profile == "lyceum":
        return f"МБОУ «Лицей{no}»", f"{mbou} «Лицей{no}» {owner_genitive}"
    if profile == "sosh_uiop":
        return (
            f"МБОУ «СОШ{no} с УИОП»",
            f"{mbou} «Средняя общеобразовательная школа{no} с углублённым изучением отдельных предметов» "
            f"{owner_genitive}",
        )
    if profile in SCHOOL_PROFILES:
        kind = {"oosh": ("ООШ", "Основная"), "nosh": ("НОШ", "Начальная")}.get(profile, ("СОШ", "Средняя"))
        return f"МБОУ «{kind[0]}{no}»", f"{mbou} «{kind[1]} общеобразовательная школа{no}» {owner_genitive}"
    if profile == "kindergarten":
        mbdou = "Муниципальное бюджетное дошкольное образовательное учреждение"
        if village:
            return (
                f"МБДОУ «{village[2]} детский сад „{title}“»",
                f"{mbdou} «{village[2]} детский сад „{title}“» {owner_genitive}",
            )
        return f"МБДОУ «Детский сад{no} „{title}“»", f"{mbdou} «Детский сад{no} „{title}“» {owner_genitive}"
    mbu_do = "Муниципальное бюджетное учреждение дополнительного образования"
    if profile == "cdo":
        if title == "ЦДО":
            return f"МБУ ДО «ЦДО{no}»", f"{mbu_do} «Центр дополнительного образования{no}» {owner_genitive}"
        return f"МБУ ДО «ДДТ{no}»", f"{mbu_do} «Дом детского творчества{no}» {owner_genitive}"
    if profile == "sport":
        return f"МБУ ДО «ДЮСШ{no}»", f"{mbu_do} «Детско-юношеская спортивная школа{no}» {owner_genitive}"
    if profile == "college":
        return (
            f"ГБПОУ «{title or 'Многопрофильный'} колледж{no}»",
            f"Государственное бюджетное профессиональное образовательное учреждение "
            f"«{title or 'Многопрофильный'} колледж{no}» {REGION_GENITIVE}",
        )
    if profile == "imc":
        return (
            "МКУ «ИМЦ»",
            f"Муниципальное казённое учреждение «Информационно-методический центр» {owner_genitive}",
        )
    raise ValueError(f"unknown organisation profile {profile!r}")


def make_organisation(
    ctx: DemoContext,
    territory: registry.Territory,
    profile: str,
    *,
    address: str,
    email_slug: str,
    domain: str = "svetlogorsk-edu.example",
    **names,
) -> registry.Organisation:
    short, full = organisation_names(profile, **names)
    return registry.Organisation(
        territory=territory,
        kind=PROFILE_KIND[profile],
        short_name=short,
        full_name=full,
        inn=ctx.new_inn(),
        ogrn=ctx.new_ogrn(),
        address=address,
        phone=phone_number(ctx.rng, mobile=False),
        email=f"{email_slug}@{domain}",
        website=f"https://{email_slug}.{domain}/",
    )


def school_classes(*counts: int) -> list[int]:
    """Classes per grade from the given counts, padded with zeros up to grade 11."""
    return [*counts, *([0] * (11 - len(counts)))]


@dataclass(frozen=True)
class DemoOrg:
    key: str
    profile: str
    staff: int
    classes: tuple[int, ...] = ()
    number: int | None = None
    village: int | None = None  # index in data.VILLAGES
    title: str = ""
    street: str = "ул. Ленина"
    house: str = "1"
    young_min: int = 0
    flags: tuple[tuple[str, object], ...] = ()


DEMO_ORGANISATIONS: list[DemoOrg] = [
    DemoOrg(
        "gymnasium",
        "gymnasium",
        54,
        (3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2),
        number=1,
        street="ул. Ленина",
        house="15",
        young_min=3,
        flags=(("innovation_site", InnovationSite.REGIONAL), ("internship_site", True)),
    ),
    DemoOrg(
        "sosh2",
        "sosh",
        32,
        (2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1),
        number=2,
        street="ул. Советская",
        house="42",
        young_min=2,
    ),
    DemoOrg(
        "sosh3",
        "sosh",
        28,
        (2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1),
        number=3,
        street="ул. Заводская",
        house="7",
        young_min=2,
        flags=(("low_results", True),),
    ),
    DemoOrg(
        "sosh4",
        "sosh_uiop",
        36,
        (3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2),
        number=4,
        street="пр. Победы",
        house="23",
        young_min=1,
        flags=(("innovation_site", InnovationSite.MUNICIPAL),),
    ),
    DemoOrg(
        "sosh5",
        "sosh",
        25,
        (2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1),
        number=5,
        street="ул. Строителей",
        house="11",
        young_min=1,
    ),
    DemoOrg(
        "sosh_sosnovka",
        "sosh_rural",
        16,
        (1,) * 11,
        village=0,
        street="ул. Школьная",
        house="3",
        young_min=1,
        flags=(("growth_point", True),),
    ),
    DemoOrg(
        "oosh_ozernoe",
        "oosh",
        11,
        (1,) * 9,
        village=1,
        street="ул. Центральная",
        house="12",
        flags=(("growth_point", True), ("low_results", True), ("unfavourable_conditions", True)),
    ),
    DemoOrg(
        "oosh_kamenka",
        "oosh",
        10,
        (1,) * 9,
        village=2,
        street="ул. Молодёжная",
        house="5",
        flags=(("growth_point", True),),
    ),
    DemoOrg("oosh_lugovoe", "oosh", 9, (1,) * 9, village=3, street="ул. Садовая", house="2", young_min=1),
    DemoOrg("oosh_zarechye", "oosh", 10, (1,) * 9, village=5, street="ул. Речная", house="14"),
    DemoOrg("nosh_berezovka", "nosh", 8, (1, 1, 1, 1), village=4, street="ул. Лесная", house="9"),
    DemoOrg("ds1", "kindergarten", 11, number=1, title="Солнышко", street="ул. Мира", house="8", young_min=1),
    DemoOrg("ds2", "kindergarten", 10, number=2, title="Ромашка", street="ул. Гагарина", house="17"),
    DemoOrg("ds4", "kindergarten", 9, number=4, title="Берёзка", street="ул. Первомайская", house="30"),
    DemoOrg("ds6", "kindergarten", 10, number=6, title="Теремок", street="ул. Строителей", house="4", young_min=1),
    DemoOrg("ds7", "kindergarten", 8, number=7, title="Колокольчик", street="ул. Заводская", house="21"),
    DemoOrg("ds_sosnovka", "kindergarten", 7, village=0, title="Ручеёк", street="ул. Школьная", house="5"),
    DemoOrg("ddt", "cdo", 12, title="ДДТ", street="ул. Октябрьская", house="10", young_min=1),
    DemoOrg("dyussh", "sport", 9, street="ул. Спортивная", house="1"),
    DemoOrg("imc", "imc", 7, street="ул. Ленина", house="5"),
]


def build_territories(ctx: DemoContext) -> None:
    ctx.region = registry.Territory.objects.create(name=REGION_NAME, kind=TerritoryKind.REGION, oktmo="98000000")
    ctx.municipalities.append(
        registry.Territory.objects.create(
            name=MUNICIPALITY_NAME, kind=TerritoryKind.MUNICIPALITY, parent=ctx.region, oktmo="98701000"
        )
    )


def build_organisations(ctx: DemoContext) -> None:
    municipality = ctx.municipality
    organisations = []
    for spec in DEMO_ORGANISATIONS:
        village = VILLAGES[spec.village] if spec.village is not None else None
        place = f"с. {village[0]}, Светлогорский м. о." if village else TOWN
        postcode = 187_700 + (spec.village + 20 if village is not None else len(organisations))
        slug = spec.key.replace("_", "-")
        org = make_organisation(
            ctx,
            municipality,
            spec.profile,
            address=f"{postcode}, {REGION_NAME}, {place}, {spec.street}, д. {spec.house}",
            email_slug=slug,
            number=spec.number,
            village=village,
            title=spec.title,
        )
        for name, value in spec.flags:
            setattr(org, name, value)
        organisations.append(org)
        classes = school_classes(*spec.classes) if spec.classes else [0] * 11
        ctx.plans.append(
            OrgPlan(
                org,
                spec.profile,
                spec.staff,
                classes,
                rural=village is not None,
                young_min=spec.young_min,
                key=spec.key,
            )
        )
    registry.Organisation.objects.bulk_create(organisations)
