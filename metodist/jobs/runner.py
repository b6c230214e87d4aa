"""Running a job inside a task worker: claim it, run its handler, record progress and the outcome.

Progress is written **outside** the handler's transaction: through the ``progress`` database alias
(``settings.JOBS_PROGRESS_DATABASE``), a second connection to the same database. An import's apply step
stays one transaction on the default connection, while every progress update is its own short autocommit
statement on the other connection, so the page polling the job sees the bar move and a worker killed
mid-apply leaves nothing half-written. Each progress update is also the job's heartbeat, which the reaper
(``services.job_reap``) watches, and the moment the handler learns that the user asked to cancel.

SQLite (the demo) allows one writer at a time: while the default connection holds the write lock (inside
the apply transaction) a progress write would only wait for it. There progress and heartbeat go to a small
side file per job instead (``VAR_DIR/jobs/progress/<id>.json``), which the job's page and the reaper read
(:func:`side_progress`); the cancel flag is still read from the database (WAL lets readers in).

Each progress call also checks the job's budget (:class:`JobBudgetWatch`): the time since the job started
and the worker's current resident memory (``/proc/self/statm``) above what it held at the start. A job over
either raises :class:`JobOverBudget` from ``ctx.progress()``, which unwinds the handler's transaction (the
apply rolls back whole) and fails the job with the figure in Russian; the worker goes on to the next job.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.functional import Promise

from . import messages
from .models import Job, JobState
from .registry import JobBudget, JobCancelled, JobOverBudget, JobRefused, job_kind

logger = logging.getLogger(__name__)

# Progress is written at most this often (seconds); the first and the last update are always written.
PROGRESS_INTERVAL = 0.5


def progress_database() -> str | None:
    """The connection alias to write progress through now, or ``None`` when it cannot be written now."""
    alias = getattr(settings, "JOBS_PROGRESS_DATABASE", DEFAULT_DB_ALIAS)
    default = connections[DEFAULT_DB_ALIAS]
    if alias != DEFAULT_DB_ALIAS and default.vendor == "sqlite" and default.in_atomic_block:
        return None
    return alias


def _side_file(job_id: int) -> Path:
    return Path(settings.VAR_DIR) / "jobs" / "progress" / f"{job_id}.json"


def side_progress(job_id: int) -> dict[str, Any] | None:
    """Progress a job wrote beside the database while SQLite's write lock was held, if any."""
    try:
        data = json.loads(_side_file(job_id).read_text())
        data["heartbeat_at"] = datetime.datetime.fromisoformat(data["heartbeat_at"])
    except (OSError, ValueError, KeyError):
        return None
    if not isinstance(data, dict):
        return None
    return data


def _write_side_file(job_id: int, data: dict[str, Any]) -> None:
    path = _side_file(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False))
    os.replace(temporary, path)


def job_progress(*, job: Job, done: int, total: int, message: str | Promise = "") -> bool:
    """Record how far ``job`` got (and that its worker is alive). Returns whether cancelling was requested.

    Written through the progress connection, in its own autocommit statement, so the record is visible at
    once even while the handler's own transaction is open.
    """
    alias = progress_database()
    total = max(total, done)
    if alias is None:
        now = timezone.now().isoformat()
        _write_side_file(
            job.pk, {"progress_done": done, "progress_total": total, "message": str(message)[:500], "heartbeat_at": now}
        )
        return Job.objects.using(settings.JOBS_PROGRESS_DATABASE).filter(pk=job.pk, cancel_requested=True).exists()
    Job.objects.using(alias).filter(pk=job.pk, state=JobState.RUNNING).update(
        progress_done=done, progress_total=total, message=str(message)[:500], heartbeat_at=timezone.now()
    )
    return Job.objects.using(alias).filter(pk=job.pk, cancel_requested=True).exists()


MB = 1024 * 1024
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_memory() -> int:
    """The worker's resident memory now, in bytes (``/proc/self/statm``; elsewhere the peak, which only grows)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak) if sys.platform == "darwin" else int(peak) * 1024


def _minutes(seconds: float) -> str:
    """A time limit in minutes as the message shows it: whole minutes, or a Russian decimal for a short one."""
    if seconds >= 60 and seconds % 60 == 0:
        return str(int(seconds // 60))
    return f"{max(seconds / 60, 0.01):.2f}".rstrip("0").rstrip(".").replace(".", ",")


class JobBudgetWatch:
    """Keeps one running job within its time and memory budget; :meth:`check` raises when it is over."""

    def __init__(self, budget: JobBudget) -> None:
        self.budget = budget.resolved()
        self.started = time.monotonic()
        self.baseline = resident_memory()
        self.peak_growth = 0

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def check(self) -> None:
        limit = self.budget.time_limit
        if limit is not None and self.elapsed() > limit:
            raise JobOverBudget(messages.OVER_TIME % {"minutes": _minutes(limit)})
        growth = resident_memory() - self.baseline
        self.peak_growth = max(self.peak_growth, growth)
        megabytes = self.budget.memory_limit
        if megabytes is not None and growth > megabytes * MB:
            raise JobOverBudget(messages.OVER_MEMORY % {"megabytes": megabytes})


class JobContext:
    """What a handler gets: the job, its parameters and input, and the ways to report and to answer."""

    def __init__(self, job: Job, *, budget: JobBudget | None = None) -> None:
        self.job = job
        self.params: dict[str, Any] = job.params
        self.result_url = ""
        self.message: str | Promise = ""
        self._last_write = 0.0
        self.watch = JobBudgetWatch(budget or JobBudget())

    @property
    def owner(self) -> Any:
        return self.job.owner

    def read_input(self) -> bytes:
        with self.job.input_file.open("rb") as handle:
            content: bytes = handle.read()
            return content

    def progress(self, done: int, total: int, message: str | Promise = "", *, force: bool = False) -> None:
        """Report progress; raises :class:`JobCancelled` when the user asked to cancel and
        :class:`JobOverBudget` when the job ran past its time or memory budget."""
        self.watch.check()
        now = time.monotonic()
        if not force and done < total and now - self._last_write < PROGRESS_INTERVAL:
            return
        self._last_write = now
        if job_progress(job=self.job, done=done, total=total, message=message):
            raise JobCancelled

    def save_result(self, content: bytes | File[Any], filename: str) -> None:
        """Keep the file the job produced; the owner downloads it from the job's page."""
        file = content if isinstance(content, File) else ContentFile(content)
        self.job.result_filename = filename[:255]
        self.job.result_file.save(filename, file, save=False)


def _finish(job: Job, *, state: str, **fields: Any) -> None:
    """Record the outcome, unless the job was meanwhile given up by the reaper or queued again."""
    fields.setdefault("finished_at", timezone.now())
    _side_file(job.pk).unlink(missing_ok=True)
    Job.objects.filter(pk=job.pk, state=JobState.RUNNING, attempts=job.attempts).update(state=state, **fields)


def job_run(*, job_id: int) -> None:
    """Run a queued job to its end. A job that is no longer queued (cancelled, already taken) is skipped."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        progress_done=0,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return
    job = Job.objects.select_related("owner").get(pk=job_id)
    kind = job_kind(job.kind)
    context = JobContext(job, budget=kind.budget_for(job.params))
    try:
        kind.handler(context)
    except JobCancelled:
        _finish(job, state=JobState.CANCELLED, error=str(messages.CANCELLED))
        return
    except JobOverBudget as over:
        watch = context.watch
        logger.warning(
            "Job %s (%s) over its budget after %.1f s, +%d MB: %s",
            job.pk,
            job.kind,
            watch.elapsed(),
            watch.peak_growth // MB,
            over.message,
        )
        _finish(job, state=JobState.FAILED, error=over.message, result_url=context.result_url)
        return
    except JobRefused as refusal:
        _finish(job, state=JobState.FAILED, error=refusal.message, result_url=context.result_url)
        return
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _finish(job, state=JobState.FAILED, error=str(messages.CRASHED))
        return
    fields: dict[str, Any] = {
        "result_url": context.result_url,
        "message": str(context.message)[:500],
        "progress_done": Greatest(F("progress_total"), 1),
        "progress_total": Greatest(F("progress_total"), 1),
        "heartbeat_at": timezone.now(),
    }
    if job.result_file:
        fields["result_file"] = job.result_file.name
        fields["result_filename"] = job.result_filename
    if job.input_file:  # the input is needed only to repeat a job that did not succeed
        job.input_file.delete(save=False)
        fields["input_file"] = ""
    _finish(job, state=JobState.SUCCEEDED, **fields)
