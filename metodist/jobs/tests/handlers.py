"""Job kinds used only by the tests: they write, report progress and fail on demand."""

from __future__ import annotations

import time

from django.db import transaction

from metodist.jobs.registry import JobBudget, JobRefused, job_handler
from metodist.jobs.runner import JobContext
from metodist.jobs.services import job_cancel
from metodist.registry.models import Territory

ECHO = "tests.echo"
FILE = "tests.file"
CRASH = "tests.crash"
REFUSE = "tests.refuse"
CANCELLED_MIDWAY = "tests.cancelled_midway"
WRITES_THEN_CANCELLED = "tests.writes_then_cancelled"
SLOW = "tests.slow"
GREEDY = "tests.greedy"
SLOW_BUDGET = JobBudget(time_limit=0.3)
GREEDY_BUDGET = JobBudget(memory_limit=50)
MB = 1024 * 1024


@job_handler(ECHO, label="echo")
def echo(context: JobContext) -> None:
    for done in range(1, 4):
        context.progress(done, 3, f"шаг {done}")
    context.message = context.params.get("say", "готово")
    context.result_url = context.params.get("url", "")


@job_handler(FILE, label="file")
def produce_file(context: JobContext) -> None:
    context.save_result(b"a;b\r\n1;2\r\n", "result.csv")


@job_handler(CRASH, label="crash")
def crash(context: JobContext) -> None:
    if context.job.attempts == 1:
        raise RuntimeError("boom")


@job_handler(REFUSE, label="refuse")
def refuse(context: JobContext) -> None:
    raise JobRefused("Нельзя: так сказали в тесте")


@job_handler(WRITES_THEN_CANCELLED, label="writes then cancelled")
def writes_then_cancelled(context: JobContext) -> None:
    with transaction.atomic():
        Territory.objects.create(name="Не должна сохраниться", kind="region")
        job_cancel(job=context.job)  # the user presses «Отменить» while the work runs
        context.progress(1, 2, force=True)


@job_handler(SLOW, label="slow", budget=SLOW_BUDGET)
def slow(context: JobContext) -> None:
    """Writes, then loops reporting progress for up to 5 s: far past its 0.3 s budget."""
    with transaction.atomic():
        Territory.objects.create(name="Не должна сохраниться (время)", kind="region")
        for done in range(250):
            time.sleep(0.02)
            context.progress(done, 250)


@job_handler(GREEDY, label="greedy", budget=GREEDY_BUDGET)
def greedy(context: JobContext) -> None:
    """Writes, then holds ever more memory (4 MB at a time, 200 MB at most) against its 50 MB budget."""
    held: list[bytes] = []
    with transaction.atomic():
        Territory.objects.create(name="Не должна сохраниться (память)", kind="region")
        for done in range(50):
            held.append(b"x" * (4 * MB))  # written bytes, so they are resident
            context.progress(done, 50)
    context.message = f"удержано {len(held) * 4} МБ"
