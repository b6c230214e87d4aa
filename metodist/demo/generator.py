"""The demo municipality, assembled from the parts every app contributes.

An app contributes to the demo with a module ``metodist/<app>/demo.py`` (or a package) that has:

- ``build(ctx)`` — create the app's demo data; ``ctx`` is the shared
  :class:`~metodist.registry.demo.context.DemoContext` (the random generator, «today», and
  everything the earlier parts made: organisations, staff, classes, users);
- ``DEMO_ORDER`` — when it runs (the registry is 10, the users 20; later capabilities use 30+);
- optionally ``delete()`` — remove what ``build`` made (``demo_seed --reset``; the part whose last step
  runs latest deletes first);
- optionally ``DEMO_STEPS`` — more ``(order, function(ctx))`` steps, for data that needs a later
  part's (the registry's «заявки на подтверждение» need the users, so they run at 30).

Everything random comes from ``ctx.rng`` (``random.Random(seed)``), so the same seed gives the same
demo; dates are counted back from ``timezone.localdate()``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps
from django.db import transaction

from metodist.accounts.demo import DEMO_USERNAMES, login_rows
from metodist.registry.demo import exists as demo_exists
from metodist.registry.demo.classes import build_classes
from metodist.registry.demo.context import (
    AGE_BANDS,
    BATCH_SIZE,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DemoContext,
    OrgPlan,
    academic_year_start,
    genitive_adjective,
    random_full_name,
    translit,
)
from metodist.registry.demo.data import KINDERGARTEN_NAMES, MUNICIPALITY_ADJECTIVES, STREETS, VILLAGES
from metodist.registry.demo.organisations import make_organisation, school_classes
from metodist.registry.demo.people import build_people
from metodist.registry.demo.staffing import curriculum

__all__ = [  # what the benchmark generator (bench/generate.py) and the tests reuse
    "AGE_BANDS",
    "BATCH_SIZE",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DEMO_USERNAMES",
    "KINDERGARTEN_NAMES",
    "MUNICIPALITY_ADJECTIVES",
    "STREETS",
    "VILLAGES",
    "DemoContext",
    "OrgPlan",
    "academic_year_start",
    "build_classes",
    "build_people",
    "curriculum",
    "delete_demo",
    "demo_exists",
    "demo_parts",
    "demo_steps",
    "format_table",
    "generate_demo",
    "genitive_adjective",
    "login_rows",
    "make_organisation",
    "random_full_name",
    "school_classes",
    "translit",
]


def demo_parts() -> list[ModuleType]:
    """The ``demo`` modules of the installed Metodist apps, in the order they build."""
    parts = []
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if not config.name.startswith("metodist.") or config.name == "metodist.demo" or find_spec(name) is None:
            continue
        module = import_module(name)
        if hasattr(module, "build"):
            parts.append(module)
    return sorted(parts, key=lambda module: getattr(module, "DEMO_ORDER", 50))


def demo_steps() -> list[Callable[[DemoContext], object]]:
    """Every part's ``build`` and ``DEMO_STEPS``, in the order they run."""
    steps: list[tuple[int, int, Callable[[DemoContext], object]]] = []
    for index, part in enumerate(demo_parts()):
        steps.append((getattr(part, "DEMO_ORDER", 50), index, part.build))
        steps.extend((order, index, step) for order, step in getattr(part, "DEMO_STEPS", ()))
    return [step for _, _, step in sorted(steps, key=lambda item: item[:2])]


def generate_demo(seed: int = DEFAULT_SEED, today: datetime.date | None = None) -> DemoContext:
    """Create the whole demo: every app's part, in one transaction."""
    ctx = DemoContext.create(seed=seed, today=today)
    with transaction.atomic():
        for step in demo_steps():
            step(ctx)
    return ctx


def delete_demo() -> None:
    """Remove everything the demo created: the part whose last step ran latest deletes first."""

    def last_order(part: ModuleType) -> int:
        orders = [getattr(part, "DEMO_ORDER", 50), *(order for order, _ in getattr(part, "DEMO_STEPS", ()))]
        return max(orders)

    with transaction.atomic():
        for part in sorted(demo_parts(), key=last_order, reverse=True):
            if hasattr(part, "delete"):
                part.delete()


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)), line]
    out += ["  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(out)
