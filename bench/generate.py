"""A region-scale data set for the benchmarks: ~1 000 organisations in ~40 municipalities, ~30 000 people.

It reuses the demo generator (``metodist.demo.generator``): the same staff plans, names, categories,
courses, awards and classes, only with many territories and organisations of random sizes. Everything
is inserted with ``bulk_create`` in batches, which works on SQLite (the tiny test) and PostgreSQL.

    python bench/generate.py                       # the default scale, into DATABASE_URL
    python bench/generate.py --organisations 50 --people 1500
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

REGION_NAME = "Энская область — нагрузочный тест"
REGION_CODE = "97"  # first digits of the generated ИНН and ОГРН (the demo uses 98)
DEFAULT_ORGANISATIONS = 1000
DEFAULT_MUNICIPALITIES = 40
DEFAULT_PEOPLE = 30_000
DEFAULT_SEED = 1_000_003
BENCH_PASSWORD = "bench12345"
BENCH_USERS = {
    "bench_region": "observer of the whole region",
    "bench_municipal": "methodologist of the largest municipality",
    "bench_coordinator": "coordinator of the largest school",
}


@dataclass
class BenchSummary:
    organisations: int
    municipalities: int
    people: int
    employments: int
    courses: int
    classes: int
    assignments: int
    seconds: float


DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/metodist_bench"


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if it does not exist yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        raise SystemExit(f"The benchmarks need PostgreSQL; DATABASE_URL is {url!r}.")
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"Created database {config['NAME']}")


def setup_django() -> None:
    """Make ``metodist`` importable and configure Django when run as a script."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()


def region_exists() -> bool:
    from metodist.registry.models import Territory

    return Territory.objects.filter(name=REGION_NAME, parent__isnull=True).exists()


DEFAULT_HISTORY_ENTRIES = 300_000


def ensure_history(entries: int = DEFAULT_HISTORY_ENTRIES) -> int:
    """Fill the audit log with ``entries`` synthetic changes of the bench people (PostgreSQL, one SQL).

    A person's page filters the history by ``additional_data -> 'person_id'``; with a region's years of
    changes that filter needs its index. Returns the number of entries added (0 if there were enough).
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from metodist.registry.models import Person

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM auditlog_logentry")
        missing = entries - cursor.fetchone()[0]
        if missing <= 0:
            return 0
        cursor.execute("SELECT min(id), max(id) FROM registry_person")
        low, high = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO auditlog_logentry (object_pk, object_id, object_repr, action, changes, changes_text,
                                           "timestamp", content_type_id, additional_data)
            SELECT p::text, p, 'Педагог', 1, '{"phone": ["", "+7 900"]}'::jsonb, '',
                   now() - (n %% 1000) * interval '1 day', %s, jsonb_build_object('person_id', p)
              FROM (SELECT n, %s + (n::bigint * 7919) %% (%s - %s + 1) AS p FROM generate_series(1, %s) AS n) AS rows
            """,
            [ContentType.objects.get_for_model(Person).pk, low, high, low, missing],
        )
        cursor.execute("ANALYZE auditlog_logentry")
    return missing


def _municipality_weights(rng, count: int) -> list[float]:
    """The regional centre is large, a few towns are medium, the rest are rural districts."""
    weights = []
    for i in range(count):
        if i == 0:
            weights.append(8.0)
        elif i <= 3:
            weights.append(3.0)
        else:
            weights.append(rng.uniform(0.5, 1.6))
    return weights


def _split(total: int, weights: list[float], minimum: int = 1) -> list[int]:
    """Integers proportional to ``weights`` summing to ``total`` (each at least ``minimum`` if possible)."""
    wsum = sum(weights)
    raw = [total * w / wsum for w in weights]
    counts = [max(minimum, int(x)) for x in raw]
    order = sorted(range(len(weights)), key=lambda i: -(raw[i] - int(raw[i])))
    i = 0
    while sum(counts) < total:
        counts[order[i % len(order)]] += 1
        i += 1
    i = 0
    while sum(counts) > total and any(c > minimum for c in counts):
        j = order[-1 - (i % len(order))]
        if counts[j] > minimum:
            counts[j] -= 1
        i += 1
    return counts


def _school_profile(rng, urban: bool) -> tuple[str, list[int], int]:
    """(profile, classes per grade, natural staff size) of a random school."""
    from metodist.demo.generator import school_classes

    if urban:
        profile = rng.choices(["gymnasium", "lyceum", "sosh_uiop", "sosh"], weights=[8, 4, 10, 78])[0]
        per_grade = rng.choice([2, 2, 3, 3, 4]) if profile == "sosh" else rng.choice([3, 4])
        senior = max(1, per_grade - 1)
        classes = school_classes(*([per_grade] * 9), senior, senior)
        return profile, classes, round(sum(classes) * rng.uniform(1.6, 1.9) + 6)
    profile = rng.choices(["sosh", "sosh_rural", "oosh", "nosh"], weights=[15, 40, 35, 10])[0]
    if profile == "sosh":
        classes = school_classes(*([rng.choice([1, 2])] * 9), 1, 1)
        return profile, classes, round(sum(classes) * 1.7 + 5)
    if profile == "sosh_rural":
        return profile, school_classes(*([1] * 11)), rng.randint(14, 19)
    if profile == "oosh":
        return profile, school_classes(*([1] * 9)), rng.randint(9, 12)
    return profile, school_classes(1, 1, 1, 1), rng.randint(5, 8)


def build_region(ctx, *, organisations: int, municipalities: int, people: int) -> None:
    """Territories and organisations of the benchmark region, with their staff sizes (ctx.plans)."""
    from metodist.demo import generator as g
    from metodist.registry import models as registry
    from metodist.registry.choices import InnovationSite, TerritoryKind

    rng = ctx.rng
    municipalities = max(1, min(municipalities, organisations))
    ctx.region = registry.Territory.objects.create(name=REGION_NAME, kind=TerritoryKind.REGION, oktmo="97000000")
    names = []
    for i in range(municipalities):
        adjective = g.MUNICIPALITY_ADJECTIVES[i % len(g.MUNICIPALITY_ADJECTIVES)]
        suffix = "" if i < len(g.MUNICIPALITY_ADJECTIVES) else f" {i // len(g.MUNICIPALITY_ADJECTIVES) + 1}"
        kind = "городской округ" if i == 0 else "муниципальный район"
        names.append((f"{adjective}{suffix} {kind}", adjective))
    territories = [
        registry.Territory(name=name, kind=TerritoryKind.MUNICIPALITY, parent=ctx.region, oktmo=f"97{600 + i:03d}000")
        for i, (name, _) in enumerate(names)
    ]
    registry.Territory.objects.bulk_create(territories)
    ctx.municipalities = territories

    weights = _municipality_weights(rng, municipalities)
    org_counts = _split(organisations, weights)
    orgs: list[registry.Organisation] = []
    sizes: list[int] = []
    for i, (territory, (name, adjective), count) in enumerate(zip(territories, names, org_counts, strict=True)):
        urban = weights[i] >= 3.0
        genitive = f"{g.genitive_adjective(adjective)} {'городского округа' if i == 0 else 'муниципального района'}"
        domain = f"{g.translit(adjective)}-edu.example"
        profiles = ["imc"]
        for _ in range(count - 1):
            profiles.append(
                rng.choices(
                    ["school", "kindergarten", "cdo", "sport", "college"],
                    weights=[45, 38, 8, 5, 4 if urban else 0],
                )[0]
            )
        numbers: dict[str, int] = {}
        for j, kind in enumerate(profiles):
            numbers[kind] = numbers.get(kind, 0) + 1
            number = numbers[kind]
            village = None
            rural_org = not urban and kind in ("school", "kindergarten") and rng.random() < 0.6
            if rural_org:
                village = g.VILLAGES[rng.randrange(len(g.VILLAGES))]
            classes = [0] * 11
            if kind == "school":
                profile, classes, staff = _school_profile(rng, urban or not rural_org)
                if village is None and profile in ("sosh_rural", "oosh", "nosh"):
                    profile = "sosh"
                if village is not None and profile in ("gymnasium", "lyceum", "sosh_uiop", "sosh"):
                    profile = "sosh_rural"
            elif kind == "kindergarten":
                profile, staff = "kindergarten", rng.randint(7, 12) if village else rng.randint(10, 24)
            elif kind == "cdo":
                profile, staff = "cdo", rng.randint(8, 30)
            elif kind == "sport":
                profile, staff = "sport", rng.randint(7, 20)
            elif kind == "college":
                profile, staff = "college", rng.randint(35, 90)
            else:
                profile, staff = "imc", rng.randint(5, 12)
            place = f"с. {village[0]}" if village else rng.choice(g.STREETS)
            org = g.make_organisation(
                ctx,
                territory,
                profile,
                address=f"{rng.randint(180000, 189999)}, {REGION_NAME.split(' — ')[0]}, {name}, {place}, "
                f"д. {rng.randint(1, 120)}",
                email_slug=f"{profile.replace('_', '')}{number}",
                domain=domain,
                number=None if village or profile == "imc" else number,
                village=village,
                title=rng.choice(g.KINDERGARTEN_NAMES) if profile == "kindergarten" else "",
                owner_genitive=genitive,
            )
            if org.kind == "school":
                org.low_results = rng.random() < 0.08
                org.unfavourable_conditions = rng.random() < 0.06
                org.growth_point = village is not None and rng.random() < 0.6
                org.internship_site = rng.random() < 0.03
                if rng.random() < 0.05:
                    org.innovation_site = rng.choice([InnovationSite.MUNICIPAL, InnovationSite.REGIONAL])
            orgs.append(org)
            sizes.append(staff)
            ctx.plans.append(g.OrgPlan(org, profile, staff, classes, rural=village is not None, key=f"{i}-{j}"))
    registry.Organisation.objects.bulk_create(orgs, batch_size=g.BATCH_SIZE)

    # Scale the natural sizes so that the region has ``people`` pedagogical workers in all.
    scale = people / max(1, sum(sizes))
    scaled = [max(3, math.floor(s * scale)) for s in sizes]
    order = sorted(range(len(scaled)), key=lambda k: -scaled[k])
    i = 0
    while sum(scaled) != people and i < 10 * len(scaled) + people:
        k = order[i % len(order)]
        if sum(scaled) < people:
            scaled[k] += 1
        elif scaled[k] > 3:
            scaled[k] -= 1
        i += 1
    for plan, staff in zip(ctx.plans, scaled, strict=True):
        plan.staff = staff


def build_bench_users(ctx) -> dict:
    from metodist.accounts.choices import Role
    from metodist.accounts.models import RoleAssignment, User

    biggest_municipality = max(
        ctx.municipalities, key=lambda t: sum(p.organisation.territory_id == t.pk for p in ctx.plans)
    )
    biggest_school = max((p for p in ctx.plans if p.is_school), key=lambda p: p.staff, default=ctx.plans[0])
    scopes = {
        "bench_region": (Role.OBSERVER, {"territory": ctx.region}),
        "bench_municipal": (Role.METHODOLOGIST, {"territory": biggest_municipality}),
        "bench_coordinator": (Role.COORDINATOR, {"organisation": biggest_school.organisation}),
    }
    users = {}
    for username, (role, scope) in scopes.items():
        user, _ = User.objects.update_or_create(
            username=username, defaults={"first_name": "Нагрузочный", "last_name": "тест"}
        )
        user.set_password(BENCH_PASSWORD)
        user.save()
        user.role_assignments.all().delete()
        RoleAssignment.objects.create(user=user, role=role, **scope)
        users[username] = user
    return users


def generate_region(
    *,
    organisations: int = DEFAULT_ORGANISATIONS,
    municipalities: int = DEFAULT_MUNICIPALITIES,
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
    with_classes: bool = True,
    log=None,
) -> BenchSummary:
    """Create the benchmark region in the current database (one transaction)."""
    from django.db import transaction

    from metodist.demo import generator as g

    started = time.monotonic()

    def say(message: str) -> None:
        if log is not None:
            log(f"[{time.monotonic() - started:6.1f} s] {message}")

    ctx = g.DemoContext.create(seed=seed, region_code=REGION_CODE, part_time_share=0.55, previous_job_share=0.04)
    with transaction.atomic():
        build_region(ctx, organisations=organisations, municipalities=municipalities, people=people)
        say(f"{len(ctx.municipalities)} municipalities, {len(ctx.plans)} organisations")
        g.build_people(ctx)
        say(f"{len(ctx.staff)} people")
        if with_classes:
            g.build_classes(ctx)
            say(f"{len(ctx.classes)} classes, {len(ctx.assignments)} teaching assignments")
        build_bench_users(ctx)
    return BenchSummary(
        organisations=len(ctx.plans),
        municipalities=len(ctx.municipalities),
        people=len(ctx.staff),
        employments=sum(len(m.employments) for m in ctx.staff),
        courses=sum(len(m.courses) for m in ctx.staff),
        classes=len(ctx.classes),
        assignments=len(ctx.assignments),
        seconds=time.monotonic() - started,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=DEFAULT_ORGANISATIONS)
    parser.add_argument("--municipalities", type=int, default=DEFAULT_MUNICIPALITIES)
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--no-classes", action="store_true", help="skip classes and teaching assignments")
    args = parser.parse_args(argv)
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    ensure_database(os.environ["DATABASE_URL"])
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if region_exists():
        print(f"«{REGION_NAME}» already exists; nothing to do.")
        return
    summary = generate_region(
        organisations=args.organisations,
        municipalities=args.municipalities,
        people=args.people,
        seed=args.seed,
        with_classes=not args.no_classes,
        log=print,
    )
    print(summary)


if __name__ == "__main__":
    main()
