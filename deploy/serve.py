"""`make serve`: the site as production serves it, in one command.

1. applies the migrations and collects the static files (content-hashed and compressed, served by
   WhiteNoise from the app itself), and queues the deadline pass for the worker;
2. starts gunicorn (deploy/gunicorn.conf.py: worker count from WEB_CONCURRENCY) and, beside it,
   the django-tasks worker (`manage.py db_worker`: imports, reminders, overdue alerts);
3. stays in the foreground: SIGTERM, SIGINT (Ctrl-C) or SIGHUP stops both, and if either stops on
   its own the other is stopped too, so the pair never runs half.

Settings come from the environment as in deploy/compose.yaml (DATABASE_URL, SHOUZHAN_SECRET_KEY, ALLOWED_HOSTS,
SHOUZHAN_SECURE, SHOUZHAN_PROXY_SSL_HEADER …); SHOUZHAN_DEBUG defaults to 0 here.

    python deploy/serve.py [--bind 127.0.0.1:8000] [--no-worker] [--no-collectstatic]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
GRACE_SECONDS = 25


def _die_with_parent() -> None:
    """In the child before exec: if this supervisor is killed outright (SIGKILL), the kernel sends
    the child SIGTERM, so no server or worker is left running alone (Linux; elsewhere a no-op)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bind", default=os.environ.get("SHOUZHAN_BIND", "127.0.0.1:8000"))
    parser.add_argument(
        "--no-worker", action="store_true", help="the web server only (a worker runs elsewhere)"
    )
    parser.add_argument(
        "--no-collectstatic",
        action="store_true",
        help="static files were collected already (the container image)",
    )
    args = parser.parse_args(argv)

    env = {**os.environ, "SHOUZHAN_BIND": args.bind}
    if not env.get("WEB_CONCURRENCY", "").strip():
        env.pop("WEB_CONCURRENCY", None)  # gunicorn cannot read an empty value: the config's default applies
    env.setdefault("SHOUZHAN_DEBUG", "0")
    env.setdefault("SHOUZHAN_STATIC_MANIFEST", "1")
    env.setdefault("CONN_MAX_AGE", "60")  # persistent database connections (one per worker)
    manage = [sys.executable, str(ROOT / "manage.py")]

    stopping: list[int] = []
    for sig in STOP_SIGNALS:
        signal.signal(sig, lambda signum, _frame: stopping.append(signum))

    # Collecting (and compressing) the static files needs no database: it runs beside the migrations.
    collect = ["collectstatic", "--noinput", "-v", "0"]
    steps = []
    if not args.no_collectstatic:
        steps.append((collect, subprocess.Popen([*manage, *collect], env=env, cwd=ROOT)))  # noqa: S603
    for step in (
        ["migrate", "--noinput"],
        ["assets_tsa_init"],  # the time-stamping authority's keys, made once in var/tsa (kept with the data)
        ["cases_schedule"],
        ["offers_schedule"],
        ["frontline_daily"],
        ["patrols_daily"],
        ["insight_schedule"],
        ["assets_daily"],
    ):
        if not stopping:
            steps.append((step, subprocess.Popen([*manage, *step], env=env, cwd=ROOT)))  # noqa: S603
            steps[-1][1].wait()
    for step, proc in steps:
        if proc.wait():
            print(f"serve: `manage.py {' '.join(step)}` failed ({proc.returncode})", file=sys.stderr)
            return proc.returncode
    if stopping:
        return 0

    commands = {
        "gunicorn": [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "shouzhan.wsgi:application",
        ]
    }
    if not args.no_worker:
        commands["db_worker"] = [*manage, "db_worker", "--interval", "2", "--no-reload"]
    children = {
        name: subprocess.Popen(cmd, env=env, cwd=ROOT, preexec_fn=_die_with_parent)  # noqa: S603
        for name, cmd in commands.items()
    }
    print(
        f"serve: http://{args.bind}/ — {', '.join(f'{n} (pid {p.pid})' for n, p in children.items())}",
        flush=True,
    )

    code = 0
    while not stopping:
        ended = [(name, proc.returncode) for name, proc in children.items() if proc.poll() is not None]
        if ended:
            name, code = ended[0]
            print(f"serve: {name} stopped ({code}); stopping the rest", file=sys.stderr, flush=True)
            code = code or 1
            break
        time.sleep(0.2)

    for proc in children.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for proc in children.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
