"""``manage.py demo_serve [ADDRPORT]`` — the demo's processes under one command: web server, task worker and
periodic work. Ctrl-C (or SIGTERM) stops all three; if one of them dies, the others are stopped too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

STOP_GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Run the web server, a task worker and the periodic work together (for the demo); Ctrl-C stops all."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--periodic-interval", type=float, default=60.0)

    def handle(self, *, addrport: str, periodic_interval: float, **options: Any) -> None:
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        commands = {
            "web": [*manage, "runserver", "--noreload", addrport],
            "worker": [*manage, "db_worker", "--no-reload", "--interval", "0.5"],
            "periodic": [*manage, "run_periodic", "--loop", "--interval", f"{periodic_interval:g}"],
        }
        children: dict[str, subprocess.Popen[bytes]] = {}
        stopping = [False]

        def stop(signum: int | None = None, frame: FrameType | None = None) -> None:
            stopping[0] = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        # The children get their own process group: the terminal's Ctrl-C reaches only this supervisor,
        # which then stops each of them in order.
        for name, command in commands.items():
            children[name] = subprocess.Popen(command, env=os.environ.copy(), start_new_session=True)
            self.stdout.write(f"started {name} (pid {children[name].pid}): {' '.join(command[1:])}")
        exit_code = 0
        try:
            while not stopping[0]:
                for name, child in children.items():
                    code = child.poll()
                    if code is not None:
                        self.stderr.write(f"{name} exited with code {code}; stopping the others")
                        exit_code = code or 1
                        stopping[0] = True
                        break
                time.sleep(0.2)
        finally:
            self._stop_all(children)
        if exit_code:
            sys.exit(exit_code)

    def _stop_all(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in {STOP_GRACE_SECONDS} s; killing it")
                child.kill()
                child.wait()
        self.stdout.write("stopped")
