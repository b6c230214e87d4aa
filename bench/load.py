"""The region bench through a real WSGI server: gunicorn (3 workers on 127.0.0.1) driven by ``wrk``.

Measures, in one run and against the bench database (``bench/generate.py``):

- p50/p95 of the login page and of the people list of the region observer at 10 and 50 concurrent
  connections for a bounded time, the errors, and the CPU per request: the CPU time of the gunicorn
  processes and of their PostgreSQL backends over the run divided by the requests (from ``/proc``);
- the people list against its own SQL: the page requested one at a time through gunicorn against the
  time of executing the very statements the page runs (captured by ``bench/page_sql.py``) with psycopg;
- the CSV export of the region against a PostgreSQL ``COPY`` of the same columns, and the XLSX export.

The figures go to ``bench/load-<label>.json``; ``bench/RESULTS.md`` gets a section comparing the
«before» and «after» files. ``--code-dir`` serves another checkout (e.g. the code before a change,
extracted with ``git archive``) from the same database.

    python bench/load.py --label after
    python bench/load.py --label before --code-dir /tmp/metodist-before --seconds 15

Nothing leaves 127.0.0.1; every load phase is bounded by ``--seconds`` and every request by a timeout.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))

from bench import generate  # noqa: E402

WORKERS = 3
CONNECTIONS = (10, 50)
LIST_PATH = "/registry/people/"
LOGIN_PATH = "/accounts/login/"
EXPORT_PATH = "/registry/people/export/"
USER = "bench_region"
LOG = ROOT / "var" / "bench-gunicorn.log"
CLK_TCK = os.sysconf("SC_CLK_TCK")
DECLARE = re.compile(r"^DECLARE\s+\S+\s+.*?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+", re.IGNORECASE | re.DOTALL)

# The same columns as the people export, written straight in SQL: the floor an export can reach.
COPY_SQL = """
COPY (
  SELECT p.last_name, p.first_name, p.patronymic, to_char(p.birth_date, 'DD.MM.YYYY'),
         date_part('year', age(current_date, p.birth_date))::int,
         j.organisations, j.positions, j.subjects, j.grades, j.categories, j.expires,
         to_char(p.experience_start, 'DD.MM.YYYY'),
         greatest(0, date_part('year', age(current_date, p.experience_start)))::int,
         CASE WHEN p.birth_date > current_date - interval '35 years'
               AND p.experience_start > current_date - interval '3 years' THEN 'да' ELSE 'нет' END,
         CASE WHEN EXISTS (SELECT 1 FROM registry_coursecompletion c WHERE c.person_id = p.id
                           AND c.end_date > current_date - interval '3 years' AND c.end_date <= current_date)
              THEN 'да' ELSE 'нет' END,
         p.email, p.phone
    FROM registry_person p
    LEFT JOIN (
         SELECT e.person_id,
                string_agg(o.short_name, '; ' ORDER BY e.kind DESC, o.short_name, e.id) AS organisations,
                string_agg(pos.name, '; ' ORDER BY e.kind DESC, o.short_name, e.id) AS positions,
                string_agg(s.names, '; ' ORDER BY e.kind DESC, o.short_name, e.id) AS subjects,
                string_agg(e.grades::text, '; ' ORDER BY e.kind DESC, o.short_name, e.id) AS grades,
                string_agg(e.category, '; ' ORDER BY e.kind DESC, o.short_name, e.id) AS categories,
                string_agg(to_char(e.category_expires_on, 'DD.MM.YYYY'), '; '
                           ORDER BY e.kind DESC, o.short_name, e.id) AS expires
           FROM registry_employment e
           JOIN registry_organisation o ON o.id = e.organisation_id
           JOIN registry_position pos ON pos.id = e.position_id
           LEFT JOIN (SELECT es.employment_id, string_agg(sub.name, '; ' ORDER BY sub.sort_order) AS names
                        FROM registry_employment_subjects es JOIN registry_subject sub ON sub.id = es.subject_id
                       GROUP BY es.employment_id) s ON s.employment_id = e.id
          WHERE e.end_date IS NULL OR e.end_date >= current_date
          GROUP BY e.person_id
         ) j ON j.person_id = p.id
   ORDER BY p.last_name, p.first_name, p.patronymic, p.id
) TO STDOUT WITH (FORMAT csv, DELIMITER ';', HEADER)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (0 if it is gone)."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = data[data.rfind(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Server:
    """gunicorn serving ``code_dir`` on a free port of 127.0.0.1, stopped on exit."""

    def __init__(self, code_dir: Path, env: dict[str, str]):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        LOG.parent.mkdir(exist_ok=True)
        self.log = open(LOG, "w")  # noqa: SIM115
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(code_dir),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(command, cwd=code_dir, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped; see {LOG}")
            try:
                with urllib.request.urlopen(self.base + LOGIN_PATH, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise SystemExit("gunicorn did not answer within 60 s")

    def pids(self) -> list[int]:
        return [self.process.pid, *children(self.process.pid)]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def login(base: str) -> str:
    """Log in as the region observer through the login form; returns the Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + LOGIN_PATH, timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": USER, "password": generate.BENCH_PASSWORD}
    ).encode()
    request = urllib.request.Request(base + LOGIN_PATH, data=data, headers={"Referer": base + LOGIN_PATH})
    with opener.open(request, timeout=30) as response:
        response.read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise SystemExit("Login through the form failed (no session cookie).")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def fetch(url: str, cookie: str = "", timeout: float = 120) -> tuple[float, int, int, str]:
    """Seconds, status, body size and content type of one GET."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        size = 0
        while chunk := response.read(1 << 16):
            size += len(chunk)
        return time.perf_counter() - started, response.status, size, response.headers.get("Content-Type", "")


class Database:
    def __init__(self, url: str):
        import dj_database_url
        import psycopg

        config = dj_database_url.parse(url)
        self.connection = psycopg.connect(
            dbname=config["NAME"],
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            autocommit=True,
        )

    def backend_pids(self) -> list[int]:
        rows = self.connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        return [row[0] for row in rows]

    def time_statements(self, statements: list[str], reps: int = 7) -> float:
        """Median seconds of executing and fetching all ``statements`` once, in order."""
        totals = []
        for _ in range(reps):
            started = time.perf_counter()
            for statement in statements:
                # A server-side cursor (``iterator()``) is read here as the plain query it declares.
                statement = DECLARE.sub("", statement)
                cursor = self.connection.execute(statement)
                if cursor.description is not None:
                    cursor.fetchall()
            totals.append(time.perf_counter() - started)
        return statistics.median(totals)

    def time_copy(self, reps: int = 3) -> tuple[float, int]:
        timings, size = [], 0
        for _ in range(reps):
            started = time.perf_counter()
            size = 0
            with self.connection.cursor().copy(COPY_SQL) as copy:
                for chunk in copy:
                    size += len(chunk)
            timings.append(time.perf_counter() - started)
        return statistics.median(timings), size


def cpu_snapshot(server: Server, database: Database) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in [*server.pids(), *database.backend_pids()]}


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def run_wrk(url: str, connections: int, seconds: int, cookie: str = "") -> dict:
    command = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(BENCH_DIR / "wrk_report.lua"),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def load_phase(server: Server, database: Database, path: str, connections: int, seconds: int, cookie: str) -> dict:
    server_pids = set(server.pids())
    before = cpu_snapshot(server, database)
    report = run_wrk(server.base + path, connections, seconds, cookie)
    after = cpu_snapshot(server, database)
    cpu = cpu_used(before, after)
    server_cpu = cpu_used(before, {pid: value for pid, value in after.items() if pid in server_pids})
    if report["requests"]:
        report["server_cpu_ms_per_request"] = 1000 * server_cpu / report["requests"]
        report["database_cpu_ms_per_request"] = 1000 * (cpu - server_cpu) / report["requests"]
    report["errors_total"] = sum(report["errors"].values())
    report["cpu_ms_per_request"] = 1000 * cpu / report["requests"] if report["requests"] else None
    report["rps"] = report["requests"] / report["seconds"] if report["seconds"] else 0
    return report


def page_sql(code_dir: Path, env: dict[str, str], path: str) -> dict:
    output = subprocess.run(
        [sys.executable, str(BENCH_DIR / "page_sql.py"), "--code-dir", str(code_dir), "--user", USER, "--path", path],
        cwd=code_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(args) -> dict:
    code_dir = Path(args.code_dir).resolve()
    url = os.environ.setdefault("DATABASE_URL", generate.DEFAULT_DATABASE_URL)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": url,
        "PYTHONPATH": str(code_dir),
        "JOBS_EXPORT_ROWS": "10000000",  # the export is measured inline: the job worker runs the same view
    }
    if args.no_lxml:
        env["OPENPYXL_LXML"] = "False"
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk).")
    database = Database(url)
    result: dict = {"label": args.label, "seconds_per_phase": args.seconds, "workers": WORKERS}
    result["when"] = time.strftime("%Y-%m-%d %H:%M %Z")
    result["load_average_start"] = os.getloadavg()[0]

    server = Server(code_dir, env)
    try:
        cookie = login(server.base)
        for _ in range(3 * WORKERS):  # every worker opens its database connection and warms up
            fetch(server.base + LIST_PATH, cookie)
            fetch(server.base + LOGIN_PATH)

        # One request at a time: the page against its own SQL.
        sequential = [fetch(server.base + LIST_PATH, cookie)[0] for _ in range(args.sequential)]
        captured = page_sql(code_dir, env, LIST_PATH)
        sql_seconds = database.time_statements(captured["queries"])
        page_seconds = statistics.median(sequential)
        result["list_vs_sql"] = {
            "page_ms_p50": page_seconds * 1000,
            "sql_ms": sql_seconds * 1000,
            "queries": len(captured["queries"]),
            "ratio": page_seconds / sql_seconds,
            "page_bytes": captured["bytes"],
        }
        print(f"list {page_seconds * 1000:.0f} ms vs its SQL {sql_seconds * 1000:.1f} ms", flush=True)

        result["load"] = {}
        for connections in CONNECTIONS:
            for name, path, page_cookie in (("login", LOGIN_PATH, ""), ("list", LIST_PATH, cookie)):
                report = load_phase(server, database, path, connections, args.seconds, page_cookie)
                result["load"][f"{name}@{connections}"] = report
                print(
                    f"{name:5} c={connections:2}: {report['requests']} requests, p95 {report['p95_ms']:.0f} ms, "
                    f"errors {report['errors_total']}, CPU {report['cpu_ms_per_request']:.1f} ms/request",
                    flush=True,
                )

        exports = {}
        for file_format, reps in (("csv", 3), ("xlsx", 2)):
            timings, status, size, content_type = [], None, 0, ""
            for _ in range(reps):
                try:
                    seconds, status, size, content_type = fetch(
                        f"{server.base}{EXPORT_PATH}?format={file_format}", cookie
                    )
                except urllib.error.HTTPError as error:  # e.g. old code against a newer schema
                    status = error.code
                    break
                timings.append(seconds)
            exports[file_format] = {
                "ms": statistics.median(timings) * 1000 if timings else None,
                "status": status,
                "bytes": size,
                "content_type": content_type,
            }
        copy_seconds, copy_size = database.time_copy()
        exports["copy"] = {"ms": copy_seconds * 1000, "bytes": copy_size}
        csv_ms = exports["csv"]["ms"]
        exports["csv_vs_copy"] = csv_ms / exports["copy"]["ms"] if csv_ms else None
        result["exports"] = exports
        print(f"exports: {json.dumps(exports)}", flush=True)
    finally:
        server.stop()
    result["load_average_end"] = os.getloadavg()[0]
    return result


def _fmt(value, digits: int = 0) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _ratio(value) -> str:
    return "—" if value is None else f"{value:.1f}×"


def results_section() -> str:
    """Markdown comparing ``load-before.json`` and ``load-after.json`` (whichever exist)."""
    runs = {}
    for label in ("before", "after"):
        path = BENCH_DIR / f"load-{label}.json"
        if path.exists():
            runs[label] = json.loads(path.read_text(encoding="utf-8"))
    if not runs:
        return ""
    labels = list(runs)
    lines = [
        "## Through a real WSGI server (`bench/load.py`)",
        "",
        f"gunicorn with {WORKERS} sync workers on 127.0.0.1, driven by `wrk` for "
        + ", ".join(f"{run['seconds_per_phase']} s per phase ({label}, {run['when']})" for label, run in runs.items())
        + ". CPU per request = CPU time of the gunicorn processes and of their PostgreSQL backends over the "
        "phase (from `/proc`) divided by the requests. The machine is shared, so absolute times carry noise; "
        "the ratios are measured within one run.",
        "",
        "| Measure | " + " | ".join(labels) + " | target |",
        "|---|" + "---:|" * len(labels) + "---|",
    ]

    def row(name: str, getter, target: str = "") -> None:
        values = []
        for label in labels:
            try:
                values.append(getter(runs[label]))
            except (KeyError, TypeError, ZeroDivisionError):
                values.append("—")
        lines.append(f"| {name} | " + " | ".join(values) + f" | {target} |")

    row("people list, one at a time, p50 ms", lambda r: _fmt(r["list_vs_sql"]["page_ms_p50"]))
    row("its own SQL (same statements via psycopg), ms", lambda r: _fmt(r["list_vs_sql"]["sql_ms"], 1))
    row("SQL statements of the page", lambda r: str(r["list_vs_sql"]["queries"]), "constant")
    row("**list ÷ its SQL**", lambda r: _fmt(r["list_vs_sql"]["ratio"], 1) + "×", "≤ 3×")
    row("page size, KiB", lambda r: _fmt(r["list_vs_sql"]["page_bytes"] / 1024))
    for connections in CONNECTIONS:
        row(
            f"login page p95 @ {connections} conns, ms",
            lambda r, c=connections: _fmt(r["load"][f"login@{c}"]["p95_ms"]),
        )
        row(
            f"people list p95 @ {connections} conns, ms",
            lambda r, c=connections: _fmt(r["load"][f"list@{c}"]["p95_ms"]),
        )
        row(
            f"**list p95 ÷ login p95 @ {connections}**",
            lambda r, c=connections: (
                _fmt(r["load"][f"list@{c}"]["p95_ms"] / r["load"][f"login@{c}"]["p95_ms"], 1) + "×"
            ),
            "≤ 8×",
        )
        row(
            f"people list requests/s @ {connections}",
            lambda r, c=connections: _fmt(r["load"][f"list@{c}"]["rps"], 1),
        )
        row(
            f"errors @ {connections} (list + login)",
            lambda r, c=connections: str(
                r["load"][f"list@{c}"]["errors_total"] + r["load"][f"login@{c}"]["errors_total"]
            ),
            "0",
        )
        row(
            f"**CPU per list request @ {connections}, ms**",
            lambda r, c=connections: _fmt(r["load"][f"list@{c}"]["cpu_ms_per_request"], 1),
            "≤ 40",
        )
        row(
            f"… of which gunicorn / PostgreSQL @ {connections}, ms",
            lambda r, c=connections: (
                _fmt(r["load"][f"list@{c}"]["server_cpu_ms_per_request"], 1)
                + " / "
                + _fmt(r["load"][f"list@{c}"]["database_cpu_ms_per_request"], 1)
            ),
        )
    row("CSV export, region (30 000 people), ms", lambda r: _fmt(r["exports"]["csv"]["ms"]))
    row("`COPY` of the same columns, ms", lambda r: _fmt(r["exports"]["copy"]["ms"]))
    row("**CSV export ÷ COPY**", lambda r: _ratio(r["exports"]["csv_vs_copy"]), "≤ 2×")
    row("XLSX export, region, ms", lambda r: _fmt(r["exports"]["xlsx"]["ms"]))
    row(
        "load average at start / end",
        lambda r: f"{r['load_average_start']:.1f} / {r['load_average_end']:.1f}",
    )
    lines.append("")
    return "\n".join(lines)


def update_results_file() -> None:
    """Replace (or append) the WSGI section of ``bench/RESULTS.md``."""
    from bench.run import RESULTS

    section = results_section()
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    marker = "## Through a real WSGI server"
    if marker in text:
        start = text.index(marker)
        following = text.find("\n## ", start + len(marker))
        text = text[:start] + section + (text[following + 1 :] if following != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The region bench through gunicorn (see bench/README.md).")
    parser.add_argument("--label", default="after", help="name of the run: before or after (the JSON file)")
    parser.add_argument("--code-dir", default=str(ROOT), help="checkout of Metodist to serve (default: this one)")
    parser.add_argument("--seconds", type=int, default=20, help="duration of every load phase")
    parser.add_argument("--sequential", type=int, default=20, help="one-at-a-time requests of the list")
    parser.add_argument("--no-lxml", action="store_true", help="serve with openpyxl's pure-Python writer")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    # Stopped with SIGTERM: leave through the ``finally`` blocks, so that gunicorn is stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    result = measure(args)
    if not args.no_write:
        (BENCH_DIR / f"load-{args.label}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
        update_results_file()
        print("Wrote bench/RESULTS.md")


if __name__ == "__main__":
    main()
