"""Routes of the jobs for the canary walker (see metodist/core/tests/canary.py).

``build`` gives the canary user two jobs: a finished export with a result file, and a failed import
check with its input file, each with the marker in its title, message, error and files.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from metodist.core.tests.canary import variant
from metodist.jobs.models import Job, JobState


def build(world) -> None:
    marked = world.mark("задание")
    done = Job(
        kind="jobs.export",
        owner=world.user,
        title=marked,
        state=JobState.SUCCEEDED,
        message=world.mark("готово"),
        progress_done=1,
        progress_total=1,
        result_filename=world.mark("выгрузка") + ".csv",
    )
    done.result_file.save("canary.csv", ContentFile(f"Фамилия\n{marked}\n".encode()), save=False)
    done.save()
    failed = Job(
        kind="imports.check",
        owner=world.user,
        title=marked,
        state=JobState.FAILED,
        error=world.mark("ошибка"),
        input_filename=world.mark("список") + ".csv",
    )
    failed.input_file.save("canary.csv", ContentFile(f"Фамилия\n{marked}\n".encode()), save=False)
    failed.save()
    world.extra["job"] = done
    world.extra["failed_job"] = failed


def _jobs(world) -> list[dict]:
    return [variant(pk=world.extra["job"].pk), variant(pk=world.extra["failed_job"].pk)]


CANARY_ROUTES = {
    "jobs:list": lambda w: [variant(query={"page": "1"})],
    "jobs:detail": _jobs,
    "jobs:progress": _jobs,
    "jobs:download": _jobs,
    "jobs:cancel": _jobs,
    "jobs:retry": _jobs,
}
