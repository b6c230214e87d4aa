"""A real task worker for tests: ``manage.py db_worker`` in a subprocess against the test database, and a
large staff list for it to chew on."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from metodist.imports.tests.utils import STAFF_HEADER, csv_bytes, snils

LAST = ["Иванова", "Петрова", "Сидорова", "Кузнецова", "Смирнова", "Попова", "Волкова", "Зайцева", "Морозова", "Орлова"]
FIRST = ["Анна", "Мария", "Ольга", "Елена", "Татьяна", "Наталья", "Ирина", "Светлана", "Юлия", "Дарья"]
MIDDLE = ["Сергеевна", "Ивановна", "Петровна", "Андреевна", "Олеговна", "Игоревна", "Павловна", "Юрьевна"]
SUFFIX = ["", "а", "ина", "ова", "ская", "цкая", "ых", "их"]


def large_staff_list(rows: int) -> bytes:
    """A staff list like a big school network's: every row a new teacher, all correct."""
    body = []
    for n in range(rows):
        last = LAST[n % 10] + SUFFIX[(n // 800) % 8]
        body.append(
            [
                last,
                FIRST[(n // 10) % 10],
                MIDDLE[(n // 100) % 8],
                datetime.date(1960 + n % 40, 1 + n % 12, 1 + n % 28),
                snils(200_000_000 + n * 7),
                "Учитель",
                "Математика",
                "5-9",
                datetime.date(2000 + n % 20, 9, 1),
                datetime.date(2010 + n % 10, 9, 1),
                "первая",
                datetime.date(2022, 3, 1),
                "нет",
                "",
                "",
            ]
        )
    return csv_bytes([STAFF_HEADER, *body])


def start_worker(var_dir: Path) -> subprocess.Popen:
    """A worker with the local settings, the test database and ``var_dir`` as its VAR_DIR (MEDIA_ROOT below)."""
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": url,
        "METODIST_VAR_DIR": str(var_dir),
        "DEBUG": "0",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
