"""Gunicorn, the production WSGI server of Metodist.

    gunicorn -c config/gunicorn.conf.py config.wsgi

Each value below can be changed from the environment (names in the comments); any other Gunicorn
option through ``GUNICORN_CMD_ARGS``. The process must see the same environment as ``manage.py``
(``DJANGO_SETTINGS_MODULE=config.settings.production``, ``SECRET_KEY``, ``DATABASE_URL`` …): see
docs/operations.md.
"""

import multiprocessing
import os
from pathlib import Path

# Where the reverse proxy (nginx, a load balancer) sends requests. GUNICORN_BIND
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: 2 × CPU + 1 by default. GUNICORN_WORKERS
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
# A request running longer than this is killed (long work runs in the task worker). GUNICORN_TIMEOUT
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle a worker after this many requests (keeps memory flat). GUNICORN_MAX_REQUESTS
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Gunicorn believes X-Forwarded-* only from the same proxies as Django (metodist.core.net). TRUSTED_PROXIES
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "")
# Access and error logs to stdout/stderr, for journald or the container runtime.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Worker heartbeats on a RAM disk when there is one (a slow disk can make healthy workers look dead).
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"
