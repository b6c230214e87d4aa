"""Region-scale benchmarks of Metodist's pages and exports on PostgreSQL (``make bench``).

Uses ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/metodist_bench``): creates the
database if needed, migrates it, generates the benchmark region once (``bench/generate.py``), then
requests every scenario through ``django.test.Client`` as a logged-in user and writes the timings to
``bench/RESULTS.md``. The run is bounded: each scenario has a repetition count and a time budget.

    python bench/run.py                 # everything, 30 repetitions of each page
    python bench/run.py --reps 5        # quicker
    python bench/run.py --only export   # scenarios whose name contains «export»
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import generate

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TOTAL_BUDGET_SECONDS = 450  # measuring stays well under 10 minutes, generation included
PAGE_BUDGET_SECONDS = 40
EXPORT_BUDGET_SECONDS = 75
KEPT_SECTIONS = ("## Before and after", "## Through a real WSGI server")


@dataclass
class Scenario:
    name: str
    user: str  # key of generate.BENCH_USERS
    url_name: str
    params: dict = field(default_factory=dict)
    args: tuple = ()
    export: bool = False
    rotate: list = field(default_factory=list)  # a list of args tuples to cycle through (detail pages)


@dataclass
class Result:
    scenario: Scenario
    path: str
    status: int | str = ""
    timings: list[float] = field(default_factory=list)
    first: float = 0.0
    queries: int | None = None
    rows: str = ""
    size: int = 0
    note: str = ""

    def percentile(self, p: float) -> float:
        ordered = sorted(self.timings)
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def machine_info(load_at_start: str) -> dict[str, str]:
    from django.db import connection

    info = {"python": platform.python_version(), "platform": platform.platform()}
    info["load"] = f"{load_at_start} / {load_average()}"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            models = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
        info["cpu"] = models[0] if models else platform.processor()
    except OSError:
        info["cpu"] = platform.processor() or "unknown"
    info["cores"] = str(os.cpu_count())
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kb = next(int(line.split()[1]) for line in handle if line.startswith("MemTotal"))
        info["ram"] = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        info["ram"] = "unknown"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        info["postgresql"] = cursor.fetchone()[0]
    import django

    info["django"] = django.get_version()
    return info


def dataset_counts() -> dict[str, int]:
    from metodist.registry import models as registry

    region = registry.Territory.objects.get(name=generate.REGION_NAME)
    return {
        "municipalities": registry.Territory.objects.filter(parent=region).count(),
        "organisations": registry.Organisation.objects.filter(territory__parent=region).count(),
        "people": registry.Person.objects.count(),
        "employments": registry.Employment.objects.count(),
        "courses": registry.CourseCompletion.objects.count(),
        "classes": registry.SchoolClass.objects.count(),
        "teaching assignments": registry.TeachingAssignment.objects.count(),
    }


def build_scenarios() -> list[Scenario]:
    from metodist.accounts.models import User
    from metodist.registry import models as registry

    municipal = User.objects.get(username="bench_municipal").role_assignments.get().territory
    teacher = registry.Position.objects.get(name="Учитель")
    maths = registry.Subject.objects.get(name="Математика")
    people = list(registry.Person.objects.order_by("id").values_list("id", flat=True))
    sample = [(people[i],) for i in range(0, len(people), max(1, len(people) // 30))][:30]
    return [
        Scenario("people list, page 1", "bench_region", "registry:person_list"),
        Scenario(
            "people list, municipality + category, sorted, page 3",
            "bench_region",
            "registry:person_list",
            {"territory": municipal.pk, "category": "highest", "sort": "full_name", "page": 3},
        ),
        Scenario(
            "people list, position + subject + no recent courses, page 2",
            "bench_region",
            "registry:person_list",
            {"position": teacher.pk, "subject": maths.pk, "recent_courses": 0, "sort": "experience", "page": 2},
        ),
        Scenario(
            "people list, young teachers, by age", "bench_region", "registry:person_list", {"young": 1, "sort": "age"}
        ),
        Scenario(
            "people list, deep page (600), sorted",
            "bench_region",
            "registry:person_list",
            {"sort": "full_name", "page": 600},
        ),
        Scenario("search «Иванова»", "bench_region", "registry:person_list", {"q": "Иванова"}),
        Scenario("search «Смирн Ольга» (two words)", "bench_region", "registry:person_list", {"q": "Смирн Ольга"}),
        Scenario("person page", "bench_region", "registry:person_detail", rotate=sample),
        Scenario("organisations list, page 1", "bench_region", "registry:organisation_list"),
        Scenario(
            "organisations list, municipality, schools",
            "bench_region",
            "registry:organisation_list",
            {"territory": municipal.pk, "kind": "school"},
        ),
        Scenario("dashboard, region observer", "bench_region", "core:dashboard"),
        Scenario("dashboard, municipal methodologist", "bench_municipal", "core:dashboard"),
        Scenario(
            "people list, municipal methodologist", "bench_municipal", "registry:person_list", {"sort": "full_name"}
        ),
        Scenario("people list, school coordinator", "bench_coordinator", "registry:person_list"),
        Scenario(
            "export XLSX, all people of the region",
            "bench_region",
            "registry:person_export",
            {"format": "xlsx"},
            export=True,
        ),
        Scenario(
            "export CSV, all people of the region",
            "bench_region",
            "registry:person_export",
            {"format": "csv"},
            export=True,
        ),
        Scenario(
            "export XLSX, people of a municipality",
            "bench_municipal",
            "registry:person_export",
            {"format": "xlsx"},
            export=True,
        ),
    ]


def _consume(response) -> int:
    if getattr(response, "streaming", False):
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    response.close()
    return size


def _rows_from_context(response) -> str:
    context = getattr(response, "context", None)
    if context is None:
        return ""
    try:
        table = context["table"]
    except (KeyError, TypeError):
        return ""
    page = getattr(table, "page", None)
    if page is None:
        return str(len(table.rows))
    return f"{page.paginator.count} ({len(page.object_list)} shown)"


def run_scenario(scenario: Scenario, client, user, reps: int, deadline: float) -> Result:
    from urllib.parse import urlencode

    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment
    from django.urls import NoReverseMatch, reverse

    from metodist.core.models import DataExport

    def path_for(i: int) -> str:
        args = scenario.rotate[i % len(scenario.rotate)] if scenario.rotate else scenario.args
        url = reverse(scenario.url_name, args=args)
        return f"{url}?{urlencode(scenario.params)}" if scenario.params else url

    try:
        result = Result(scenario, path_for(0))
    except NoReverseMatch:
        return Result(scenario, "—", status="no URL", note=f"{scenario.url_name} does not resolve")

    # First (cold) request: instrumented to count SQL queries and read the table from the context.
    setup_test_environment()
    try:
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(result.path)
            result.size = _consume(response)
        result.first = time.perf_counter() - started
        result.queries = len(queries)
        result.status = response.status_code
        result.rows = _rows_from_context(response)
    except Exception as error:
        teardown_test_environment()
        result.status, result.note = "error", f"{type(error).__name__}: {error}"[:200]
        return result
    teardown_test_environment()
    if result.status != 200:
        return result
    if scenario.export:
        latest = DataExport.objects.filter(user=user).order_by("-id").first()
        result.rows = str(latest.row_count) if latest else ""

    budget = EXPORT_BUDGET_SECONDS if scenario.export else PAGE_BUDGET_SECONDS
    scenario_deadline = min(deadline, time.monotonic() + budget)
    for i in range(reps):
        if i >= 3 and time.monotonic() > scenario_deadline:
            result.note = f"stopped after {i} repetitions (time budget)"
            break
        path = path_for(i + 1)
        started = time.perf_counter()
        response = client.get(path)
        _consume(response)
        result.timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            result.status, result.note = response.status_code, f"{path} answered {response.status_code}"
            break
    return result


def write_results(results: list[Result], info: dict, counts: dict, generated: str, elapsed: float) -> None:
    from urllib.parse import unquote

    now = datetime.datetime.now().astimezone()
    lines = [
        "# Benchmark results",
        "",
        f"Run on {now:%Y-%m-%d %H:%M %Z} by `make bench` (`bench/run.py`); the run took {elapsed:.0f} s.",
        "Times are wall-clock milliseconds of a full request through `django.test.Client` as a logged-in user "
        "(session, middleware, scoping, rendering; exports include building and reading the whole file), "
        "in one process against a local PostgreSQL, `DEBUG=0`. No network and no web server are involved.",
        "",
        "## Machine",
        "",
        f"- CPU: {info['cpu']}, {info['cores']} cores",
        f"- RAM: {info['ram']}",
        f"- PostgreSQL {info['postgresql']}, Python {info['python']}, Django {info['django']}",
        f"- {info['platform']}",
        f"- load average (1 min) at the start and the end of the run: {info['load']}",
        "",
        "## Data",
        "",
        f"«{generate.REGION_NAME}» ({generated}): "
        + ", ".join(f"{value:,} {name}".replace(",", "\u202f") for name, value in counts.items())
        + ".",
        "",
        "Users: `bench_region` — observer of the whole region; `bench_municipal` — methodologist of the largest "
        "municipality; `bench_coordinator` — coordinator of the largest school.",
        "",
        "## Results",
        "",
        "| Scenario | User | Rows | SQL | n | first, ms | p50, ms | p95, ms | max, ms | Size |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r.timings:
            p50, p95, worst = (f"{r.percentile(p) * 1000:.0f}" for p in (0.5, 0.95, 1.0))
        else:
            p50 = p95 = worst = "—"
        size = f"{r.size / 1024:.0f} KiB" if r.size else ""
        name = r.scenario.name if r.status == 200 else f"{r.scenario.name} ({r.status})"
        lines.append(
            f"| {name} | {r.scenario.user} | {r.rows} | {r.queries if r.queries is not None else ''} | "
            f"{len(r.timings)} | {r.first * 1000:.0f} | {p50} | {p95} | {worst} | {size} |"
        )
    lines += ["", "Requests:", ""]
    lines += [f"- {r.scenario.name}: `{unquote(r.path)}`" + (f" — {r.note}" if r.note else "") for r in results]
    lines.append("")
    # Sections written by bench/load.py (through gunicorn) and the before/after summary are kept.
    kept = ""
    if RESULTS.exists():
        old = RESULTS.read_text(encoding="utf-8")
        starts = [old.find(marker) for marker in KEPT_SECTIONS if old.find(marker) != -1]
        if starts:
            kept = old[min(starts) :]
    RESULTS.write_text("\n".join(lines) + ("\n" + kept if kept else ""), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Region-scale benchmarks (see bench/README.md).")
    parser.add_argument("--reps", type=int, default=30, help="repetitions of each page (exports: at most 5)")
    parser.add_argument("--only", default="", help="run only scenarios whose name contains this text")
    parser.add_argument("--no-write", action="store_true", help="print the results, do not write RESULTS.md")
    args = parser.parse_args(argv)
    started = time.monotonic()
    deadline = started + TOTAL_BUDGET_SECONDS
    load_at_start = load_average()

    os.environ.setdefault("DATABASE_URL", generate.DEFAULT_DATABASE_URL)
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("JOBS_EXPORT_ROWS", "10000000")  # exports measured inline (a worker runs the same view)
    generate.ensure_database(os.environ["DATABASE_URL"])
    generate.setup_django()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from metodist.accounts.models import User

    call_command("migrate", verbosity=0)
    if generate.region_exists():
        generated = "generated earlier"
    else:
        print("Generating the benchmark region …", flush=True)
        summary = generate.generate_region(log=lambda m: print(m, flush=True))
        generated = f"generated in {summary.seconds:.0f} s"
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        deadline = time.monotonic() + TOTAL_BUDGET_SECONDS
    added = generate.ensure_history()
    if added:
        print(f"Added {added} audit log entries", flush=True)
    print(f"Data: {generated}", flush=True)

    clients = {}
    users = {}
    for username in generate.BENCH_USERS:
        users[username] = User.objects.get(username=username)
        client = Client(SERVER_NAME="localhost")
        client.force_login(users[username])
        clients[username] = client

    results = []
    for scenario in build_scenarios():
        if args.only and args.only.lower() not in scenario.name.lower():
            continue
        reps = min(args.reps, 5) if scenario.export else args.reps
        if time.monotonic() > deadline:
            reps = min(reps, 3)
        result = run_scenario(scenario, clients[scenario.user], users[scenario.user], reps, deadline)
        results.append(result)
        summary_line = (
            f"p50 {result.percentile(0.5) * 1000:7.0f} ms  p95 {result.percentile(0.95) * 1000:7.0f} ms"
            if result.timings
            else f"status {result.status} {result.note}"
        )
        print(f"{scenario.name:62} {summary_line}  rows {result.rows}  sql {result.queries}", flush=True)

    elapsed = time.monotonic() - started
    if not args.no_write and results:
        write_results(results, machine_info(load_at_start), dataset_counts(), generated, elapsed)
        print(f"Wrote {RESULTS}")
    print(f"Done in {elapsed:.0f} s")


if __name__ == "__main__":
    main()
