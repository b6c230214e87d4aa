"""What kinds of jobs exist: each app registers its handlers in its own ``jobs.py`` (autodiscovered).

A handler is a function ``handler(ctx: JobContext) -> None``. It reports progress with ``ctx.progress()``,
puts its result on the context (``ctx.result_url``, ``ctx.save_result()``, ``ctx.message``) and raises
:class:`JobRefused` when the work may not be done for a reason the user must read (the job fails with
that message). Any other exception fails the job with a generic message and is logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from .runner import JobContext


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str | Promise
    handler: Callable[[JobContext], None]


_KINDS: dict[str, JobKind] = {}


def job_handler(
    name: str, *, label: str | Promise
) -> Callable[[Callable[[JobContext], None]], Callable[[JobContext], None]]:
    """Register ``handler`` as the code that runs jobs of kind ``name``."""

    def register(function: Callable[[JobContext], None]) -> Callable[[JobContext], None]:
        _KINDS[name] = JobKind(name=name, label=label, handler=function)
        return function

    return register


def job_kind(name: str) -> JobKind:
    return _KINDS[name]


class JobRefused(Exception):
    """The work may not be done; ``message`` tells the user why (in Russian)."""

    def __init__(self, message: str | Promise) -> None:
        self.message = str(message)
        super().__init__(self.message)


class JobCancelled(Exception):
    """Raised inside a handler (from ``ctx.progress()``) when the user asked to cancel the job."""
