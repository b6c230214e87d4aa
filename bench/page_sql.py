"""Print, as JSON, the SQL that one page runs (helper of ``bench/load.py``, run in a subprocess).

It runs inside the code directory being measured (``--code-dir``), so that the SQL is the one of that
version of Metodist: requests the page once through ``django.test.Client`` as ``--user`` and prints the
status, the time and every SQL statement with its parameters inlined.

    python bench/page_sql.py --code-dir . --user bench_region --path /registry/people/
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--code-dir", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--path", required=True)
    args = parser.parse_args()
    sys.path.insert(0, os.path.abspath(args.code_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    client = Client(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(username=args.user))
    client.get(args.path)  # warm caches (templates, URL resolver, content types)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(args.path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "status": response.status_code,
                "ms": elapsed * 1000,
                "bytes": len(body),
                "queries": [query["sql"] for query in captured.captured_queries],
            }
        )
    )


if __name__ == "__main__":
    main()
