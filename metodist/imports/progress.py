"""How far a check or a load of a file got, for whoever is listening (the background job running it).

The services call :func:`report` as they go through the rows; nothing listens unless the caller wraps
the call in :func:`reporting_to`. A listener may raise (e.g. the job was cancelled): the exception leaves
the service like any other and its transaction is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

CHECKING = "checking"  # reading and checking the rows of the file
WRITING = "writing"  # saving what the check found would change

Listener = Callable[[str, int, int], None]

_listener: ContextVar[Listener | None] = ContextVar("import_progress_listener", default=None)


def report(stage: str, done: int, total: int) -> None:
    listener = _listener.get()
    if listener is not None:
        listener(stage, done, total)


@contextmanager
def reporting_to(listener: Listener) -> Iterator[None]:
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
