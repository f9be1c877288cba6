"""The test database for `make mutation`, built once and copied for each mutant (issue #20).

tools/mutation.py copies this file as `conftest.py` into the root of its throwaway copy of the tree (never
into the repository) and sets MUTATION_TEST_DB. Without it every mutant whose tests touch the database
created the test database and ran every migration again (5–10 s a mutant on two busy cores).

The first pytest session that needs the database builds a template under a file lock (migrations run
once); every session after that, one per mutant, starts from its own copy of the template — a file copy on
SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL — and reuses it as pytest-django's `--reuse-db` would.
A private copy per process, not one shared database: mutmut runs mutants in parallel, and a transactional
test empties the tables (with the append-only triggers lifted) under any other test using them. Each copy
starts exactly as a freshly created test database would, and is deleted when its session ends.

    MUTATION_TEST_DB=/path/var/mutation-test.sqlite3     SQLite: the template's file
    MUTATION_TEST_DB=test_shouzhan_mut                   PostgreSQL: the template's database name

Unset (`tools/mutation.py --fresh-db`), every session creates its database as pytest-django does by
default: the "before" of the time comparison in docs/mutation.md. Either way, with MUTATION_TIMES set,
each pytest session appends a line "mutant name, seconds, whether it used the database" to that file
(the seconds from pytest's configure to its unconfigure: collection, database, tests).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

TEMPLATE = os.environ.get("MUTATION_TEST_DB", "")
TIMES = os.environ.get("MUTATION_TIMES", "")
_session: dict[str, Any] = {}


def pytest_configure(config: pytest.Config) -> None:
    _session.update(started=time.monotonic(), database=False)


def pytest_sessionfinish(session: pytest.Session) -> None:
    _session["database"] = any(
        "django_db_setup" in getattr(item, "fixturenames", ()) for item in session.items
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    if TIMES and "started" in _session:
        seconds = time.monotonic() - _session["started"]
        mutant = os.environ.get("MUTANT_UNDER_TEST", "")
        with open(TIMES, "a") as out:  # one short line, appended whole
            out.write(f"{mutant}\t{seconds:.3f}\t{int(_session['database'])}\n")


LOCK = Path(os.environ.get("MUTATION_TEST_DB_LOCK", "/tmp/shouzhan-mutation-test-db.lock"))


@contextmanager
def _locked() -> Iterator[None]:
    with open(LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build_template(connection: Any, name: str) -> None:
    """Create the test database under the template's name (all migrations), then leave it closed."""
    creation = connection.creation
    connection.settings_dict["TEST"]["NAME"] = name
    old_name = connection.settings_dict["NAME"]
    creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    creation.destroy_test_db(old_name, verbosity=0, keepdb=True)  # restores NAME, closes the connection


def _sqlite_copy(connection: Any) -> Iterator[None]:
    template = Path(TEMPLATE)
    with _locked():
        if not template.exists():
            building = template.with_name(template.name + ".building")
            for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
                leftover.unlink(missing_ok=True)
            _build_template(connection, str(building))
            with closing(sqlite3.connect(building)) as db:
                db.execute("PRAGMA journal_mode=DELETE")  # everything in the one file before it is copied
            building.rename(template)
    mine = template.with_name(f"{template.stem}-{os.getpid()}{template.suffix}")
    shutil.copyfile(template, mine)
    connection.settings_dict["TEST"]["NAME"] = str(mine)
    try:
        yield
    finally:
        connection.close()
        for name in (mine, Path(f"{mine}-wal"), Path(f"{mine}-shm")):
            name.unlink(missing_ok=True)


def _postgresql_copy(connection: Any) -> Iterator[None]:
    mine = f"{TEMPLATE}_{os.getpid()}"
    with _locked():
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [TEMPLATE])
            exists = cursor.fetchone() is not None
        if not exists:
            _build_template(connection, TEMPLATE)
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{mine}"')
            cursor.execute(f'CREATE DATABASE "{mine}" TEMPLATE "{TEMPLATE}"')
    connection.settings_dict["TEST"]["NAME"] = mine
    try:
        yield
    finally:
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{mine}" WITH (FORCE)')


if TEMPLATE:

    @pytest.fixture(scope="session")
    def django_db_keepdb() -> bool:
        return True  # the copy is ready: Django only checks that no migration is missing

    @pytest.fixture(scope="session")
    def django_db_modify_db_settings(
        django_db_modify_db_settings_parallel_suffix: None, django_db_blocker: Any
    ) -> Iterator[None]:
        from django.db import connections

        connection = connections["default"]
        copy = _postgresql_copy if connection.vendor == "postgresql" else _sqlite_copy
        with django_db_blocker.unblock():
            steps = copy(connection)
            next(steps)
        yield
        with django_db_blocker.unblock():
            next(steps, None)
