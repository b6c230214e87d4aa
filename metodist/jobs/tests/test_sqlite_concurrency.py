"""The demo's SQLite (WAL, busy timeout, immediate transactions): two processes writing at once never
meet «database is locked» — as the web server and the task worker of ``make demo`` do."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from django.conf import settings

COUNT = 150


def test_two_processes_write_to_the_demo_sqlite_without_database_is_locked(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "METODIST_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    }
    command = [sys.executable, "-m", "metodist.jobs.tests.sqlite_writer"]
    # Create the table first so that the writers start from the same state.
    subprocess.run([*command, "setup", "0"], cwd=settings.BASE_DIR, env=env, check=True, capture_output=True)
    started = time.monotonic()
    writers = [
        subprocess.Popen(
            [*command, name, str(COUNT)], cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for name in ("web", "worker")
    ]
    outputs = [writer.communicate(timeout=120) for writer in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err.decode()
        assert out.decode().strip() == "0", err.decode()[-2000:]

    import sqlite3

    with sqlite3.connect(tmp_path / "demo.sqlite3") as database:
        assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = database.execute("SELECT writer, seen FROM concurrency_probe ORDER BY rowid").fetchall()
    assert len(rows) == 2 * COUNT
    # Immediate transactions serialise the writers: every row saw exactly the rows committed before it.
    assert [seen for _, seen in rows] == list(range(2 * COUNT))
    assert {writer for writer, _ in rows} == {"web", "worker"}
    assert time.monotonic() - started < 60
