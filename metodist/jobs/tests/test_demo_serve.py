"""``manage.py demo_serve`` (what ``make demo`` runs): web server, task worker and periodic work start
together and one Ctrl-C stops all three."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the reference data


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


@pytest.mark.skipif(connection.vendor != "postgresql" or not os.path.isdir("/proc"), reason="PostgreSQL on Linux")
def test_demo_serve_runs_three_processes_and_ctrl_c_stops_them_all(tmp_path):
    db = settings.DATABASES["default"]
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "METODIST_VAR_DIR": str(tmp_path),
        "DEBUG": "0",
    }
    supervisor = subprocess.Popen(
        [sys.executable, "manage.py", "demo_serve", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2) as response:
                    status = response.status
            except OSError:
                time.sleep(0.3)
        assert status == 200
        children = _children(supervisor.pid)
        commands = [Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ") for pid in children]
        assert len(children) == 3, commands
        assert any("runserver" in c for c in commands)
        assert any("db_worker" in c for c in commands)
        assert any("run_periodic --loop" in c for c in commands)

        supervisor.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends
        assert supervisor.wait(timeout=20) == 0
        assert not [pid for pid in children if os.path.exists(f"/proc/{pid}") and _alive(pid)]
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
