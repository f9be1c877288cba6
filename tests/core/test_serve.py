"""`make serve` as production runs it: gunicorn, WhiteNoise static files, the task worker beside it.

One server for the module (starting it migrates a fresh SQLite database and collects the static files,
about 15 s): it runs with SHOUZHAN_SECURE=1 behind a pretend TLS proxy that sets X-Forwarded-Proto, and
the last test stops it and checks that every process it started is gone.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_PY = ROOT / ".venv" / "bin" / "python"
START_SECONDS = 90


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()


HTTPS = {"X-Forwarded-Proto": "https"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    """Every live process below pid, from /proc (children of children too)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # "pid (comm) state ppid …": comm may contain spaces, so split after the last ')'.
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    if not VENV_PY.exists() or shutil.which("make") is None or not Path("/proc").is_dir():
        pytest.skip("needs the project's .venv, make and /proc")
    var = tmp_path_factory.mktemp("serve-var")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("SHOUZHAN_")}
    env.update(
        SHOUZHAN_VAR_DIR=str(var),  # a fresh SQLite database and static root
        WEB_CONCURRENCY="2",
        SHOUZHAN_SECURE="1",
        SHOUZHAN_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    log = var / "serve.log"
    with log.open("wb") as out:
        # -o: the install stamp counts as up to date (the suite already runs inside the installed venv).
        proc = subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "-o",
                ".venv/.installed",
                "serve",
                "HOST=127.0.0.1",
                f"PORT={port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Served(proc, port, log)
    deadline = time.monotonic() + START_SECONDS
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"make serve exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                server.get("/healthz", HTTPS)  # any answer: the server is up
                break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"make serve did not answer in {START_SECONDS} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield server
    finally:
        if proc.poll() is None:  # a test failed before the stop test: leave nothing behind
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_make_serve_runs_gunicorn_and_the_task_worker(served: Served) -> None:
    deadline = time.monotonic() + 15  # the first worker may answer before the second has forked
    while True:
        commands = [_cmdline(pid) for pid in _descendants(served.proc.pid)]
        # With setproctitle installed (mutmut brings it), gunicorn names its processes
        # "gunicorn: master [shouzhan]" / "gunicorn: worker [shouzhan]" instead of its command line.
        gunicorn = [
            c for c in commands if "gunicorn" in c and ("deploy/gunicorn.conf.py" in c or "[shouzhan]" in c)
        ]
        if len(gunicorn) >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(gunicorn) == 3  # the master and WEB_CONCURRENCY=2 workers
    assert sum("db_worker" in c for c in commands) == 1


def test_page_and_hashed_static_file_are_served(served: Served) -> None:
    status, headers, body = served.get("/", HTTPS)
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    page = body.decode()
    assert "首站" in page
    # The stylesheet is linked under its content-hashed name and served by WhiteNoise, compressed and
    # cacheable for ever.
    match = re.search(r'href="(/static/core/shouzhan\.[0-9a-f]{12}\.css)"', page)
    assert match, "the page links the content-hashed stylesheet"
    status, headers, css = served.get(match.group(1), {**HTTPS, "Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-type"].startswith("text/css")
    assert headers["content-encoding"] == "gzip"
    assert "immutable" in headers["cache-control"]
    assert len(css) > 100


def test_secure_site_behind_tls_proxy_is_not_redirected(served: Served) -> None:
    # The proxy says the visitor came over https: the page is served, not redirected to itself.
    status, headers, _ = served.get("/policies/", {**HTTPS, "Host": "127.0.0.1"})
    assert status == 200
    assert "strict-transport-security" in headers
    # Plain http (no header) still goes to https.
    status, headers, _ = served.get("/policies/", {"Host": "127.0.0.1"})
    assert status == 301
    assert headers["location"] == "https://127.0.0.1/policies/"
    # …except the health check, asked over http from the machine itself (the container's HEALTHCHECK).
    assert served.get("/healthz", {"Host": "127.0.0.1"})[0] == 200


def test_stopping_make_serve_stops_every_process(served: Served) -> None:
    started = _descendants(served.proc.pid)
    assert len(started) >= 4  # the supervisor, gunicorn's master and workers, db_worker
    served.proc.send_signal(signal.SIGTERM)  # as a service manager or `kill` would stop make
    assert served.proc.wait(timeout=30) is not None
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in started if _alive(pid)] == []
    with pytest.raises(OSError):
        served.get("/healthz", HTTPS)


# ------------------------------------------------------------------------------------ the recipe
def test_compose_file_runs_site_and_worker_from_the_dockerfile_with_postgresql_and_redis() -> None:
    import yaml

    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "site", "worker"}
    for name in ("site", "worker"):
        app = services[name]  # the shared x-app block, merged in
        assert (ROOT / "deploy" / app["build"]["context"] / app["build"]["dockerfile"]).resolve() == (
            ROOT / "deploy" / "Dockerfile"
        )
        env = app["environment"]
        assert "@db:5432/" in env["DATABASE_URL"] and env["REDIS_URL"].startswith("redis://redis:")
        assert env["ALLOWED_HOSTS"].endswith(",127.0.0.1")  # the image's health check asks 127.0.0.1
        assert env["WEB_CONCURRENCY"] != ""  # gunicorn refuses an empty value
        assert app["volumes"] == ["shouzhan-data:/var/lib/shouzhan"]
    assert services["site"]["command"] == ["python", "deploy/serve.py", "--no-worker", "--no-collectstatic"]
    assert services["worker"]["command"][:3] == ["python", "manage.py", "db_worker"]
    assert services["worker"]["depends_on"]["site"]["condition"] == "service_healthy"
    assert set(compose["volumes"]) == {"postgres-data", "shouzhan-data"}


def test_dockerfile_copies_what_exists_and_runs_the_site_as_compose_does() -> None:
    import json

    lines = (ROOT / "deploy" / "Dockerfile").read_text().splitlines()
    copies = [line.split()[1:-1] for line in lines if line.startswith("COPY ")]
    assert copies and all((ROOT / src).exists() for sources in copies for src in sources)
    cmd = json.loads(next(line for line in lines if line.startswith("CMD "))[4:])
    assert cmd == ["python", "deploy/serve.py", "--no-worker", "--no-collectstatic"]
    assert "SHOUZHAN_STATIC_MANIFEST=1" in (ROOT / "deploy" / "Dockerfile").read_text()
    # The build context is the repository root: everything copied is let through, and nothing else
    # (no .venv, var/ or .git sent to the builder).
    ignore = (ROOT / "deploy" / "Dockerfile.dockerignore").read_text().splitlines()
    assert "*" in ignore
    assert {f"!{src.rstrip('/')}" for sources in copies for src in sources} <= {
        line.rstrip("/") for line in ignore
    }


def test_systemd_units_start_gunicorn_and_the_worker_from_the_checkout() -> None:
    web = (ROOT / "deploy" / "systemd" / "shouzhan-web.service").read_text()
    worker = (ROOT / "deploy" / "systemd" / "shouzhan-worker.service").read_text()
    assert "ExecStart=/opt/shouzhan/.venv/bin/python -m gunicorn --config deploy/gunicorn.conf.py" in web
    assert "ExecStartPre=/opt/shouzhan/.venv/bin/python manage.py migrate --noinput" in web
    assert "ExecStart=/opt/shouzhan/.venv/bin/python manage.py db_worker" in worker
    assert "PartOf=shouzhan-web.service" in worker
    if shutil.which("systemd-analyze"):
        done = subprocess.run(
            ["systemd-analyze", "verify", "--man=no", "shouzhan-web.service", "shouzhan-worker.service"],
            cwd=ROOT / "deploy" / "systemd",
            capture_output=True,
            text=True,
            check=False,
        )
        # Only the interpreter of the machine the units are for (/opt/shouzhan) may be missing here.
        problems = [
            line
            for line in done.stderr.splitlines()
            if line.strip() and "/opt/shouzhan/.venv/bin/python" not in line
        ]
        assert problems == []
