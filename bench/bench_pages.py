"""Pages under load: the main pages served as production serves them, 6 concurrent clients on loopback.

Loads the demo district (`shouzhan demo`) into a fresh database — PostgreSQL `shouzhan_bench_pages`
when reachable, else a temporary SQLite file (BENCH_PAGES_DB=sqlite|postgres chooses) — and starts
`deploy/serve.py` (what `make serve` runs: gunicorn with WEB_CONCURRENCY=2 workers, WhiteNoise, the
task worker beside it). Logged-in pages use a session cookie from logging in through the login page.

Each page is loaded by 6 client processes (one connection each, keep-alive where the server keeps it)
for BENCH_PAGES_SECONDS (default 5) after a warm-up; it prints p50 / p95 / p99 latency, requests per
second, the ratio of its rate to a static file served by the same server (the baseline, measured in
this run), and the SQL queries one view of the page makes (counted in process with Django's
CaptureQueriesContext on the same database), and the server's CPU per request ("cpu ms": user + system
time of the server's processes over the run ÷ requests, from /proc — unlike the rates, it does not depend
on what else the machine is doing; 2 cores ÷ cpu ms is the rate an idle machine could reach, less what the
clients and the database take). Goal: p95 < 100 ms and >= 100 requests/s at 6 clients.
`bench/run.py pages` runs only this one; BENCH_PAGES_ONLY=landing,case queue narrows the pages.
"""

from __future__ import annotations

import http.client
import json
import math
import multiprocessing as mp
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = "shouzhan_bench_pages"
CLIENTS = 6
WORKERS = 2
SECONDS = float(os.environ.get("BENCH_PAGES_SECONDS", "5"))
WARMUP_SECONDS = 1.0
PASSWORD = "shouzhan2026"
GOAL_P95_MS, GOAL_RATE = 100.0, 100.0

# Who is logged in for a page: a demo mobile number, or None for an anonymous visitor.
ENTERPRISE = "13800000001"  # 林晓, 光合剧场
CASEWORKER = "13800000002"  # 张洁, the centre's staff

# (label, path, who); "{case}" is a demo case the caseworker may read, found in process below.
PAGES: list[tuple[str, str, str | None]] = [
    ("landing", "/", None),
    ("calculator (anonymous)", "/policies/calculator/", None),
    ("calculator (enterprise)", "/policies/calculator/", ENTERPRISE),
    ("policy library", "/policies/", None),
    ("enterprise list (staff)", "/enterprises/", CASEWORKER),
    ("case page", "/cases/{case}/", CASEWORKER),
    ("case queue", "/cases/queue/", CASEWORKER),
    ("community market", "/community/market/", None),
    ("spaces insight", "/spaces/insight/", CASEWORKER),
    ("API policies", "/api/v1/policies", None),
    ("API enterprises", "/api/v1/enterprises", CASEWORKER),
    ("API cases", "/api/v1/cases", CASEWORKER),
    ("API listings", "/api/v1/community/listings", None),
]


class Figures(NamedTuple):
    p50: float
    p95: float
    p99: float
    rate: float
    requests: int
    errors: int
    cpu_ms: float  # the server's CPU per request (its processes only)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p * len(ordered)) - 1))]


# ------------------------------------------------------------------------------------- the clients
def _client(port: int, path: str, cookie: str, start: float, warm_until: float, stop: float, out) -> None:
    """One client: requests back to back on one connection (reopened when the server closes it)."""
    headers = {"Cookie": cookie} if cookie else {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    errors = 0
    while time.time() < start:
        time.sleep(0.001)
    while True:
        t0 = time.time()
        if t0 >= stop:
            break
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            conn.close()
            ok = False
        t1 = time.time()
        if t0 >= warm_until:
            latencies.append((t1 - t0) * 1000)
            errors += not ok
    conn.close()
    out.send((latencies, errors))
    out.close()


def _load(port: int, path: str, cookie: str, server_pid: int) -> Figures:
    ctx = mp.get_context("fork")
    start = time.time() + 0.3
    warm_until = start + WARMUP_SECONDS
    stop = warm_until + SECONDS
    pipes, procs = [], []
    for _ in range(CLIENTS):
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_client, args=(port, path, cookie, start, warm_until, stop, send))
        proc.start()
        pipes.append(receive)
        procs.append(proc)
    latencies: list[float] = []
    errors = 0
    while time.time() < warm_until:
        time.sleep(0.01)
    cpu_before = _server_cpu_seconds(server_pid)
    while time.time() < stop:
        time.sleep(0.01)
    cpu = _server_cpu_seconds(server_pid) - cpu_before
    for receive in pipes:
        got, bad = receive.recv()
        latencies += got
        errors += bad
    for proc in procs:
        proc.join()
    return Figures(
        p50=statistics.median(latencies),
        p95=_percentile(latencies, 0.95),
        p99=_percentile(latencies, 0.99),
        rate=len(latencies) / SECONDS,
        requests=len(latencies),
        errors=errors,
        cpu_ms=cpu * 1000 / max(1, len(latencies)),
    )


def _server_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of every process under `root` (gunicorn's workers, the task worker), from
    /proc: what the pages cost the server whatever else runs on the machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    below, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - below
        below |= frontier
    return sum(times[pid] for pid in below)


def _get(port: int, path: str, cookie: str = "") -> tuple[int, str, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace"), dict(response.getheaders())
    finally:
        conn.close()


def _login(port: int, mobile: str) -> str:
    """Log in through the login page as a person would; returns the Cookie header for later requests."""
    status, body, headers = _get(port, "/accounts/login/")
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert status == 200 and csrf_cookie and token, f"login page: {status}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST",
            "/accounts/login/",
            body=urlencode({"csrfmiddlewaretoken": token.group(1), "login": mobile, "password": PASSWORD}),
            headers={
                "Cookie": f"csrftoken={csrf_cookie.group(1)}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{port}/accounts/login/",
            },
        )
        response = conn.getresponse()
        response.read()
        session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
        assert response.status == 302 and session, f"login as {mobile}: {response.status}"
        return f"csrftoken={csrf_cookie.group(1)}; sessionid={session.group(1)}"
    finally:
        conn.close()


# ----------------------------------------------------------------------------------- the database
def _database_env() -> tuple[dict[str, str], str]:
    var = tempfile.mkdtemp(prefix="shouzhan-bench-pages-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOUZHAN_") and k != "DATABASE_URL"}
    env.update(
        SHOUZHAN_VAR_DIR=var,
        SHOUZHAN_DEBUG="0",
        SHOUZHAN_SECRET_KEY="bench-only-secret-key-" + "b" * 30,
        WEB_CONCURRENCY=str(WORKERS),
        GUNICORN_LOG_LEVEL="warning",
        PYTHONPATH=str(ROOT / "src"),
        DJANGO_SETTINGS_MODULE="shouzhan.settings",
    )
    wanted = os.environ.get("BENCH_PAGES_DB", "")
    if wanted != "sqlite":
        try:
            import psycopg

            with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True, connect_timeout=3) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {PG_DB}")
            env["DATABASE_URL"] = f"{PG_BASE}/{PG_DB}"
            return env, f"PostgreSQL ({PG_DB})"
        except Exception as exc:
            if wanted == "postgres":
                raise
            print(f"PostgreSQL not reachable ({exc.__class__.__name__}): SQLite instead")
    return env, "SQLite (temporary file)"


def _drop(env: dict[str, str]) -> None:
    shutil.rmtree(env["SHOUZHAN_VAR_DIR"], ignore_errors=True)
    if "DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def queries_child() -> None:
    """In a child process on the bench database: the SQL queries one view of each page makes."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from shouzhan.accounts.models import User
    from shouzhan.cases.models import Case

    case = Case.objects.order_by("pk").first()
    out = {}
    clients: dict[str | None, Client] = {}
    for label, path, who in PAGES:
        path = path.format(case=case.pk if case else 0)
        if who not in clients:
            clients[who] = Client()
            if who:
                clients[who].force_login(User.objects.get(mobile=who))
        client = clients[who]
        client.get(path)  # caches warm, as in a running server
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        out[label] = {"path": path, "queries": len(captured), "status": status}
    print(json.dumps(out))


# ------------------------------------------------------------------------------------------- main
def main() -> None:
    only = {s.strip() for s in os.environ.get("BENCH_PAGES_ONLY", "").split(",") if s.strip()}
    pages = [p for p in PAGES if not only or p[0] in only]
    env, database = _database_env()
    server = None
    try:
        started = time.perf_counter()
        for step in (
            [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
            [sys.executable, "-m", "shouzhan.cli", "demo"],
        ):
            subprocess.run(step, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        counted = json.loads(
            subprocess.run(
                [sys.executable, __file__, "--queries"],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        port = _free_port()
        log = open(Path(env["SHOUZHAN_VAR_DIR"]) / "serve.log", "wb")
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "deploy" / "serve.py"), "--bind", f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = (Path(env["SHOUZHAN_VAR_DIR"]) / "serve.log").read_text()[-2000:]
                raise SystemExit(f"bench pages: the server did not start:\n{tail}")
            time.sleep(0.2)
        print(
            f"setup: {database}, demo district, `make serve` (gunicorn, {WORKERS} workers) in "
            f"{time.perf_counter() - started:.0f} s; {CLIENTS} client processes on loopback, "
            f"{SECONDS:g} s per page after {WARMUP_SECONDS:g} s warm-up"
        )
        cookies = {who: _login(port, who) for who in {w for _l, _p, w in pages if w}}
        cookies[None] = ""
        landing = _get(port, "/")[1]
        static = re.search(r'href="(/static/core/shouzhan\.[0-9a-f]+\.css)"', landing)
        assert static, "the landing page links the hashed stylesheet"
        for label, _path, who in pages:
            status, _body, _h = _get(port, counted[label]["path"], cookies[who])
            assert status == 200, f"{label}: {status}"

        baseline = _load(port, static.group(1), "", server.pid)
        head = (
            f"{'page':<26}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'req/s':>8}{'÷static':>9}"
            f"{'cpu ms':>8}{'queries':>9}  goal"
        )
        print(head)
        print(
            f"{'static file (baseline)':<26}{baseline.p50:>8.1f}{baseline.p95:>8.1f}{baseline.p99:>8.1f}"
            f"{baseline.rate:>8.0f}{1:>9.2f}{baseline.cpu_ms:>8.1f}{'':>9}"
        )
        missed = []
        for label, _path, who in pages:
            fig = _load(port, counted[label]["path"], cookies[who], server.pid)
            ok = fig.p95 < GOAL_P95_MS and fig.rate >= GOAL_RATE and not fig.errors
            if not ok:
                missed.append(label)
            print(
                f"{label:<26}{fig.p50:>8.1f}{fig.p95:>8.1f}{fig.p99:>8.1f}{fig.rate:>8.0f}"
                f"{fig.rate / baseline.rate:>9.3f}{fig.cpu_ms:>8.1f}{counted[label]['queries']:>9}  "
                f"{'OK' if ok else 'MISSED'}{f' ({fig.errors} errors)' if fig.errors else ''}",
                flush=True,
            )
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"goal p95 < {GOAL_P95_MS:.0f} ms and >= {GOAL_RATE:.0f} req/s on every page: "
            f"{'met' if not missed else 'NOT met (' + ', '.join(missed) + ')'} "
            f"(load average {load}, {os.cpu_count()} CPUs)"
        )
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        _drop(env)


if __name__ == "__main__":
    if "--queries" in sys.argv:
        queries_child()
    else:
        main()
