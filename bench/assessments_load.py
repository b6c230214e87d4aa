"""A region's year of one ВПР: loading ~1 000 000 per-task rows against a bare PostgreSQL ``COPY`` of them.

Against its own database (``metodist_bench_assess``, created if missing), in one run:

1. a region of ``--schools`` schools with four 6th-grade classes each and the ВПР «математика, 6» procedure
   (14 tasks); the files are generated once under ``var/bench-assess/``: the ФИС ОКО analytics export
   «Индивидуальные результаты» (XLSX, one row per participant) and the long format (CSV, one row per
   participant and task) of the same ``--students`` participants;
2. **load**: from the file on disk to committed rows with aggregates refreshed — the check
   (``result_upload_check``: read, match schools and classes, compare with what is stored) and the load
   (``result_upload_apply``: read and plan again under the lock, write students and scores with ``COPY``,
   aggregates), each file in a fresh process, timed and with its peak resident memory;
3. **reload** of the same file (nothing changes: every class is «unchanged»);
4. **bare COPY**: the very rows the load wrote (students and per-task scores), dumped to CSV and copied back
   into the same emptied tables with ``COPY … FROM STDIN`` — in a fresh process too.

The figures are printed and appended to ``bench/RESULTS.md`` as a section of their own (``--no-record`` to
skip). Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/metodist_bench_assess python bench/assessments_load.py``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))

from bench import generate  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/metodist_bench_assess"
DATA_DIR = ROOT / "var" / "bench-assess"
REGION = "Энская область — загрузка результатов"
TITLE = "ВПР (нагрузочный тест), математика, 6 класс"
SPEC = [
    ("1", 1, "basic"),
    ("2", 1, "basic"),
    ("3", 1, "basic"),
    ("4", 1, "basic"),
    ("5", 2, "basic"),
    ("6.1", 1, "basic"),
    ("6.2", 1, "advanced"),
    ("7", 1, "basic"),
    ("8", 2, "advanced"),
    ("9.1", 1, "basic"),
    ("9.2", 1, "basic"),
    ("10", 2, "advanced"),
    ("11", 2, "basic"),
    ("12", 2, "advanced"),
]
CLASSES_PER_SCHOOL = 4
YEAR = 2025


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- Data ---------------------------------------------------------------------------------------------------


def prepare(schools: int) -> None:
    """The region, its schools with classes, the procedure and an administrator; once."""
    from django.contrib.auth import get_user_model

    from metodist.assessments.models import Procedure, Task
    from metodist.registry.choices import OrganisationKind, TerritoryKind
    from metodist.registry.models import Organisation, SchoolClass, Subject, Territory

    if Territory.objects.filter(name=REGION).exists():
        return
    region = Territory.objects.create(name=REGION, kind=TerritoryKind.REGION)
    municipalities = [
        Territory.objects.create(name=f"Район {n}", kind=TerritoryKind.MUNICIPALITY, parent=region) for n in range(40)
    ]
    organisations = Organisation.objects.bulk_create(
        Organisation(
            territory=municipalities[n % len(municipalities)],
            kind=OrganisationKind.SCHOOL,
            short_name=f"МБОУ СОШ № {n + 1} (нагрузочный тест)",
            full_name=f"Муниципальное бюджетное общеобразовательное учреждение СОШ № {n + 1}",
            fis_oko_login=f"edu7{n + 1:05d}",
        )
        for n in range(schools)
    )
    SchoolClass.objects.bulk_create(
        SchoolClass(organisation=o, academic_year=YEAR, grade=6, letter="АБВГ"[i], students_count=25)
        for o in organisations
        for i in range(CLASSES_PER_SCHOOL)
    )
    procedure = Procedure.objects.create(
        kind="vpr",
        title=TITLE,
        subject=Subject.objects.get(name="Математика"),
        grade=6,
        academic_year=YEAR,
        mark_scale={"3": 6, "4": 10, "5": 14},
    )
    Task.objects.bulk_create(
        Task(procedure=procedure, number=n, position=i, max_score=m, level=level)
        for i, (n, m, level) in enumerate(SPEC, start=1)
    )
    user_model = get_user_model()
    if not user_model.objects.filter(username="bench_assess").exists():
        user_model.objects.create_superuser("bench_assess", "bench@example.org", "bench-assess-2026")


def _participants(schools: int, students: int, seed: int):
    """(school index, class letter, code, variant, scores, journal mark) of every participant, deterministic."""
    rng = random.Random(seed)
    per_class = students // (schools * CLASSES_PER_SCHOOL)
    extra = students - per_class * schools * CLASSES_PER_SCHOOL
    count = 0
    for school in range(schools):
        ability = rng.gauss(0, 0.5)
        for letter in "АБВГ"[:CLASSES_PER_SCHOOL]:
            size = per_class + (1 if extra > 0 else 0)
            extra -= 1
            for _ in range(size):
                count += 1
                p = min(0.95, max(0.05, 0.55 + ability * 0.2 + rng.gauss(0, 0.15)))
                scores = ["X" if rng.random() < 0.04 else sum(rng.random() < p for _ in range(m)) for _n, m, _l in SPEC]
                yield school, letter, f"{6000000 + count}", rng.choice((1, 2)), scores, rng.choice((3, 4, 4, 5))


def write_files(schools: int, students: int, seed: int) -> tuple[Path, Path]:
    """The analytics export (XLSX) and the long format (CSV) of the same participants, generated once."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    xlsx = DATA_DIR / f"individualnye-{schools}-{students}.xlsx"
    long_csv = DATA_DIR / f"long-{schools}-{students}.csv"
    if xlsx.exists() and long_csv.exists():
        return xlsx, long_csv
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Индивидуальные результаты")
    sheet.append(["Индивидуальные результаты"])
    sheet.append([])
    sheet.append(["ВПР 2026 Математика 6 класс"])
    sheet.append(["Предмет:", "Математика"])
    sheet.append(["Максимальный первичный балл:", sum(m for _n, m, _l in SPEC)])
    sheet.append(["Дата:", "22.04.2026"])
    sheet.append(
        [
            "Уровень сложности задания",
            None,
            None,
            None,
            None,
            None,
            *["Б" if level == "basic" else "П" for _n, _m, level in SPEC],
        ]
    )
    sheet.append(
        [
            "ОО",
            "Муниципалитет",
            "Название ОО",
            "Код участника",
            "Класс",
            "Вариант",
            *[f"{n} ({m}б)" for n, m, _l in SPEC],
            "Первичный балл",
            "Отметка",
            "Отметка по журналу",
        ]
    )
    current: tuple[str, str] | None = None
    rows: list[list[object]] = []

    def flush() -> None:
        if current is not None:
            sheet.append([f"{current[1]}({current[0]})", f"Кол-во участников: {len(rows)}"])
            for row in rows:
                sheet.append(row)
        rows.clear()

    with long_csv.open("w", encoding="utf-8", newline="") as out:
        out.write("Школа;Класс;Код участника;Задание;Балл;Вариант;Отметка по журналу\r\n")
        for school, letter, code, variant, scores, journal in _participants(schools, students, seed):
            login = f"edu7{school + 1:05d}"
            name = f"МБОУ СОШ № {school + 1} (нагрузочный тест)"
            if current is None or current[0] != login:
                flush()
                current = (login, name)
            total = sum(s for s in scores if s != "X")
            mark = 5 if total >= 14 else 4 if total >= 10 else 3 if total >= 6 else 2
            rows.append([login, "Район", name, int(code), f"6{letter}", variant, *scores, total, mark, journal])
            for (number, _m, _l), score in zip(SPEC, scores, strict=True):
                out.write(f"{login};6{letter};{code};{number};{score};{variant};{journal}\r\n")
        flush()
    book.save(xlsx)
    return xlsx, long_csv


# --- Phases (each in a fresh process, so that its peak memory is its own) --------------------------------------


def phase_reset() -> dict[str, object]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE assessments_taskscore, assessments_taskaggregate, assessments_studentresult, "
            "assessments_classassessment, assessments_resultupload"
        )
    return {}


def phase_load(path: str) -> dict[str, object]:
    from django.contrib.auth import get_user_model

    from metodist.assessments.models import Procedure
    from metodist.assessments.services import result_upload_apply, result_upload_check

    user = get_user_model().objects.get(username="bench_assess")
    procedure = Procedure.objects.get(title=TITLE)
    started = time.perf_counter()
    content = Path(path).read_bytes()
    upload = result_upload_check(user=user, procedure=procedure, content=content, filename=Path(path).name)
    checked = time.perf_counter()
    if upload.status != "checked":
        raise SystemExit(f"the check refused the file: {upload.report.get('errors', [])[:5]}")
    counts = result_upload_apply(upload=upload, user=user)
    done = time.perf_counter()
    return {
        "check_s": checked - started,
        "apply_s": done - checked,
        "total_s": done - started,
        "peak_mb": _peak_mb(),
        "counts": counts.as_dict(),
        "size_mb": Path(path).stat().st_size / 1024 / 1024,
    }


def phase_dump() -> dict[str, object]:
    from django.db import connection

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    raw = connection.cursor().cursor
    for table, columns in (
        (
            "assessments_studentresult",
            "id, class_assessment_id, student_code, variant, absent, gender, primary_score, "
            "stated_score, mark, journal_mark",
        ),
        ("assessments_taskscore", "student_id, task_id, score, not_attempted"),
    ):
        with (
            (DATA_DIR / f"{table}.csv").open("wb") as out,
            raw.copy(f"COPY {table} ({columns}) TO STDOUT (FORMAT csv)") as copy,
        ):
            for chunk in copy:
                out.write(chunk)
    return {}


def phase_copy() -> dict[str, object]:
    """A bare COPY of the rows the load wrote, into the same (emptied) tables with their indexes."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM assessments_taskaggregate")
        cursor.execute("TRUNCATE assessments_taskscore, assessments_studentresult")
    raw = connection.cursor().cursor
    started = time.perf_counter()
    rows = 0
    with transaction.atomic():
        for table, columns in (
            (
                "assessments_studentresult",
                "id, class_assessment_id, student_code, variant, absent, gender, "
                "primary_score, stated_score, mark, journal_mark",
            ),
            ("assessments_taskscore", "student_id, task_id, score, not_attempted"),
        ):
            with (
                (DATA_DIR / f"{table}.csv").open("rb") as source,
                raw.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
                    rows += chunk.count(b"\n")
    return {"copy_s": time.perf_counter() - started, "peak_mb": _peak_mb(), "rows": rows}


PHASES = {"reset": phase_reset, "load": phase_load, "dump": phase_dump, "copy": phase_copy}


def run_phase(name: str, *args: str) -> dict[str, object]:
    output = subprocess.run(
        [sys.executable, __file__, "--phase", name, *args], check=True, capture_output=True, text=True, env=os.environ
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# --- Report -------------------------------------------------------------------------------------------------------


def _record(results: dict[str, dict[str, object]], args: argparse.Namespace, elapsed: float) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    copy = results["copy"]
    lines = [
        "",
        "## Loading student results: a region's year of one ВПР (`bench/assessments_load.py`)",
        "",
        f"Run on {datetime.datetime.now():%Y-%m-%d %H:%M} against `metodist_bench_assess` (PostgreSQL {server}, "
        f"Python {platform.python_version()}, {os.cpu_count()} cores; load average at the start "
        f"{os.getloadavg()[0]:.2f}); the run took {elapsed:.0f} s. {args.schools} schools × {CLASSES_PER_SCHOOL} "
        f"classes, {args.students:,} participants × {len(SPEC)} tasks = {args.students * len(SPEC):,} per-task rows "
        "(about 4 % «X»). Each phase runs in a fresh process; memory is the process's peak resident size "
        "(Python, Django and the data). The bare COPY is into the same tables with their indexes, emptied first; "
        "the machine is shared, so absolute times vary between runs — the ratios are taken within one run.",
        "",
        "| Phase | File | Time, s | vs bare COPY | Peak memory, MB |",
        "|---|---|---:|---:|---:|",
    ]
    base = float(copy["copy_s"])  # type: ignore[arg-type]
    for key, label in (("xlsx", "analytics export «Индивидуальные результаты», XLSX"), ("csv", "long format, CSV")):
        load = results[f"load_{key}"]
        size = f"{float(load['size_mb']):.1f} MB"  # type: ignore[arg-type]
        for part, what in (
            ("check_s", "check (read, match, compare)"),
            ("apply_s", "load (read again, COPY, aggregates)"),
            ("total_s", "**file on disk → committed rows with aggregates**"),
        ):
            value = float(load[part])  # type: ignore[arg-type]
            peak = f"{float(load['peak_mb']):.0f}" if part == "total_s" else ""  # type: ignore[arg-type]
            lines.append(f"| {what} | {label}, {size} | {value:.1f} | {value / base:.1f}× | {peak} |")
    reload = results["reload"]
    lines.append(
        f"| reload of the same XLSX (every class «unchanged», nothing written) | | {float(reload['total_s']):.1f} | "  # type: ignore[arg-type]
        f"{float(reload['total_s']) / base:.1f}× | {float(reload['peak_mb']):.0f} |"  # type: ignore[arg-type]
    )
    lines.append(
        f"| **bare `COPY … FROM STDIN`** of the same student and score rows from CSV into the same tables | | "
        f"{base:.1f} | 1.0× | {float(copy['peak_mb']):.0f} |"  # type: ignore[arg-type]
    )
    lines += ["", f"Rows written by the load: {json.dumps(results['load_xlsx']['counts'], ensure_ascii=False)}.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=700)
    parser.add_argument("--students", type=int, default=70_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to bench/RESULTS.md")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if args.phase:
        generate.setup_django()
        result = PHASES[args.phase](*([args.path] if args.path else []))
        print(json.dumps(result, ensure_ascii=False, default=str))
        return
    started = time.perf_counter()
    generate.ensure_database(os.environ["DATABASE_URL"])
    generate.setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    prepare(args.schools)
    xlsx, long_csv = write_files(args.schools, args.students, args.seed)
    results: dict[str, dict[str, object]] = {}
    for key, path in (("xlsx", xlsx), ("csv", long_csv)):
        run_phase("reset")
        results[f"load_{key}"] = run_phase("load", str(path))
        print(f"load {key}: {results[f'load_{key}']}", flush=True)
    run_phase("reset")
    results["load_xlsx_warm"] = run_phase("load", str(xlsx))
    results["reload"] = run_phase("load", str(xlsx))
    print(f"reload: {results['reload']}", flush=True)
    run_phase("dump")
    results["copy"] = run_phase("copy")
    print(f"bare copy: {results['copy']}", flush=True)
    section = _record(results, args, time.perf_counter() - started)
    print(section)
    if not args.no_record:
        with (BENCH_DIR / "RESULTS.md").open("a", encoding="utf-8") as out:
            out.write(section)


if __name__ == "__main__":
    main()
