"""Periodic work — one mechanism: ``manage.py run_periodic``.

Apps register functions with :func:`periodic`; ``run_periodic`` runs every registered function once (for
a timer: cron, a systemd timer, a Kubernetes CronJob) or, with ``--loop``, keeps running them every
``--interval`` seconds (``make demo`` starts it so). Each function must be safe to run at any moment and
from several machines at once (they are idempotent updates and deletions). Today: the reaper of jobs whose
worker died, and retention (uploaded files and generated exports deleted after ``RETENTION_DAYS``);
reminders and deadlines of later capabilities register here too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicWork:
    name: str
    function: Callable[[], object]


_WORK: dict[str, PeriodicWork] = {}


def periodic(name: str) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register ``function`` (no arguments) as periodic work called ``name``."""

    def register(function: Callable[[], object]) -> Callable[[], object]:
        _WORK[name] = PeriodicWork(name=name, function=function)
        return function

    return register


def registered() -> list[PeriodicWork]:
    return sorted(_WORK.values(), key=lambda work: work.name)


def run_all() -> dict[str, object]:
    """Run every registered function once; one failing does not stop the others. Returns their results."""
    results: dict[str, object] = {}
    for work in registered():
        try:
            results[work.name] = work.function()
        except Exception as error:  # logged and reported; the next run tries again
            logger.exception("Periodic work %s failed", work.name)
            results[work.name] = error
    return results
