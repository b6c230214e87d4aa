"""An import checked by a real task worker: the browser shows the progress bar moving, then the preview.

The tests run tasks immediately; here the test switches to the database backend and starts a real
``manage.py db_worker`` against the test database (metodist/jobs/tests/worker.py), as ``make demo`` does.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import override_settings
from playwright.sync_api import expect

from metodist.imports.models import ImportBatch
from metodist.jobs.tests.worker import large_staff_list, start_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 4500  # the import reads at most 5 000 lines


def test_import_shows_a_moving_progress_bar_then_the_preview(page, live_world, login, tmp_path, screenshot):
    storages = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
        STORAGES=storages,
        MEDIA_ROOT=tmp_path / "media",
    ):
        worker = start_worker(tmp_path)
        try:
            login(page, "coordinator")
            page.goto(f"/imports/?organisation={live_world.org_a.pk}")
            page.get_by_label("Файл").set_input_files(
                files=[{"name": "вся-сеть.csv", "mimeType": "text/csv", "buffer": large_staff_list(ROWS)}]
            )
            page.get_by_role("button", name="Проверить файл").click()

            expect(page.get_by_role("heading", level=1)).to_have_text("Проверка файла «вся-сеть.csv»")
            bar = page.get_by_role("progressbar").locator(".progress-bar")
            expect(bar).to_be_visible()
            widths: list[str] = []
            deadline = time.monotonic() + 60
            while "/jobs/" in page.url and time.monotonic() < deadline:
                try:
                    width = bar.evaluate("element => element.style.width", timeout=500)
                except Exception:  # the page moved on to the preview meanwhile
                    break
                if width and (not widths or widths[-1] != width):
                    widths.append(width)
                    if len(widths) == 2:
                        screenshot(page, "job-progress")
                time.sleep(0.1)
            partial = [w for w in widths if w not in ("0%", "100%")]
            assert partial, f"the bar never showed partial progress: {widths}"
            assert len(set(widths)) >= 2, f"the bar did not move: {widths}"

            expect(page.get_by_role("heading", name="Корректные строки")).to_be_visible(timeout=60_000)
            batch = ImportBatch.objects.get()
            assert page.url.endswith(batch.get_absolute_url())
            assert batch.rows_total == ROWS
        finally:
            worker.kill()
            worker.wait()
