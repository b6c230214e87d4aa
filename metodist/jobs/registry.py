"""What kinds of jobs exist: each app registers its handlers in its own ``jobs.py`` (autodiscovered).

A handler is a function ``handler(ctx: JobContext) -> None``. It reports progress with ``ctx.progress()``,
puts its result on the context (``ctx.result_url``, ``ctx.save_result()``, ``ctx.message``) and raises
:class:`JobRefused` when the work may not be done for a reason the user must read (the job fails with
that message). Any other exception fails the job with a generic message and is logged.

Every kind has a budget (:class:`JobBudget`): how long it may run and how much memory it may take above
what the worker held when the job started. A figure left ``None`` comes from the settings
(``JOBS_DEFAULT_TIME_LIMIT`` seconds, ``JOBS_DEFAULT_MEMORY_LIMIT`` MB). A kind whose cost depends on its
parameters (an import of a staff list against a region's assessment) declares a function of the params.
The runner enforces the budget at every ``ctx.progress()`` (see ``runner.JobBudgetWatch``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.functional import Promise

if TYPE_CHECKING:
    from .runner import JobContext


@dataclass(frozen=True)
class JobBudget:
    """How long (seconds) and how much memory (MB above the worker's own) one job may take; ``None``: default."""

    time_limit: float | None = None
    memory_limit: int | None = None

    def resolved(self) -> JobBudget:
        """The budget with every missing figure taken from the settings."""
        return JobBudget(
            time_limit=self.time_limit if self.time_limit is not None else float(settings.JOBS_DEFAULT_TIME_LIMIT),
            memory_limit=self.memory_limit
            if self.memory_limit is not None
            else int(settings.JOBS_DEFAULT_MEMORY_LIMIT),
        )


BudgetSpec = JobBudget | Callable[[dict[str, Any]], JobBudget] | None


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str | Promise
    handler: Callable[[JobContext], None]
    budget: BudgetSpec = None

    def budget_for(self, params: dict[str, Any]) -> JobBudget:
        """The budget of one job of this kind, every figure filled in."""
        spec = self.budget(params) if callable(self.budget) else self.budget
        return (spec or JobBudget()).resolved()


_KINDS: dict[str, JobKind] = {}


def job_handler(
    name: str, *, label: str | Promise, budget: BudgetSpec = None
) -> Callable[[Callable[[JobContext], None]], Callable[[JobContext], None]]:
    """Register ``handler`` as the code that runs jobs of kind ``name``, within ``budget`` (defaults if ``None``)."""

    def register(function: Callable[[JobContext], None]) -> Callable[[JobContext], None]:
        _KINDS[name] = JobKind(name=name, label=label, handler=function, budget=budget)
        return function

    return register


def job_kind(name: str) -> JobKind:
    return _KINDS[name]


class JobRefused(Exception):
    """The work may not be done; ``message`` tells the user why (in Russian)."""

    def __init__(self, message: str | Promise) -> None:
        self.message = str(message)
        super().__init__(self.message)


class JobOverBudget(JobRefused):
    """Raised inside a handler (from ``ctx.progress()``) when the job ran out of its time or memory budget."""


class JobCancelled(Exception):
    """Raised inside a handler (from ``ctx.progress()``) when the user asked to cancel the job."""
