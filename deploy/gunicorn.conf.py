"""gunicorn settings for Shouzhan (`make serve`, the container and the systemd unit).

Everything that differs between machines comes from the environment:
  SHOUZHAN_BIND      address to listen on (default 127.0.0.1:8000; the container uses 0.0.0.0:8000)
  WEB_CONCURRENCY    worker processes (default 2 × CPU cores + 1)
  GUNICORN_THREADS   threads per worker (default 1: plain sync workers)
  GUNICORN_TIMEOUT   seconds before a stuck worker is restarted (default 60)
  GUNICORN_MAX_REQUESTS  replace a worker after about this many requests (default 0: never)
"""

from __future__ import annotations

import os

bind = [os.environ.get("SHOUZHAN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
keepalive = 5
# GUNICORN_MAX_REQUESTS=N replaces a worker after about N requests (a guard against a slow leak). Off by
# default: a fresh worker starts cold (templates parsed again, the search dictionary loaded again: seconds
# for its first requests), which showed up as p99 spikes of 3 s under load.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# The application is imported once in the master and forked: workers start fast and share memory.
preload_app = True
# Whether a request came over https is decided by Django alone (SHOUZHAN_PROXY_SSL_HEADER in
# settings.py): gunicorn would otherwise trust X-Forwarded-Proto from loopback on its own.
secure_scheme_headers: dict[str, str] = {}
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None  # "-" for stdout
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "shouzhan"


def pre_fork(server: object, worker: object) -> None:
    """The application is loaded in the master (preload_app): a database connection it opened there must
    not be inherited by the workers, which would then share one socket."""
    from django.db import connections

    connections.close_all()
