"""One writer of the SQLite concurrency test: ``python -m metodist.jobs.tests.sqlite_writer NAME COUNT``.

Runs with the demo's settings (config.settings.local, its database in ``$METODIST_VAR_DIR``) and makes
COUNT transactions that each read, then write — the pattern of the web server and the worker (check, then
save) that SQLite answers with «database is locked» when two deferred transactions both try to write.
Prints the number of errors.
"""

from __future__ import annotations

import os
import sys
import time


def main(name: str, count: int) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.db import OperationalError, connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS concurrency_probe (writer TEXT, seen INTEGER)")
    errors = 0
    for _ in range(count):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM concurrency_probe")
                seen = cursor.fetchone()[0]
                time.sleep(0.002)  # the other process reads meanwhile
                cursor.execute("INSERT INTO concurrency_probe VALUES (%s, %s)", [name, seen])
        except OperationalError as error:
            errors += 1
            print(f"{name}: {error}", file=sys.stderr)
    print(errors)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
