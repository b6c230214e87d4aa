"""``manage.py run_periodic [--loop] [--interval SECONDS]`` — the periodic work of metodist/jobs/periodic.py."""

from __future__ import annotations

import signal
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from metodist.jobs.periodic import registered, run_all


class Command(BaseCommand):
    help = "Run the periodic work (job reaper, retention of files) once, or every --interval seconds with --loop."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running every --interval seconds.")
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between runs (default 60).")

    def handle(self, *, loop: bool, interval: float, verbosity: int, **options: Any) -> None:
        running = [True]

        def stop(signum: int, frame: FrameType | None) -> None:
            running[0] = False

        if loop:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        names = ", ".join(work.name for work in registered())
        if verbosity:
            self.stdout.write(f"Periodic work: {names}" + (f", every {interval:g} s" if loop else ""))
        while True:
            if loop:
                close_old_connections()
            for name, result in run_all().items():
                if isinstance(result, Exception):
                    self.stderr.write(f"{name}: failed: {result}")
                elif verbosity > 1 or (verbosity and result):
                    self.stdout.write(f"{name}: {result}")
            if not loop:
                return
            close_old_connections()
            deadline = time.monotonic() + interval
            while running[0] and time.monotonic() < deadline:
                time.sleep(min(0.5, interval))
            if not running[0]:
                return
