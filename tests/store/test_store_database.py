"""Finding the database, configuring connections, migrating, retrying transient failures."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from redesign.store.database import (
    DEFAULT_URL,
    ENV_VAR,
    MAX_OVERFLOW,
    POOL_SIZE,
    FifoLock,
    make_engine,
    normalize_url,
    pool_settings,
    resolve_database_url,
    write_transaction,
)
from redesign.store.errors import InvalidInput, StoreUnavailable
from redesign.store.migrate import current_revision, head_revision, upgrade
from redesign.store.service import WorkshopService
from redesign.store.tables import metadata
from tests.pg_server import PgServer


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database nobody has migrated yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.create_database("crossflow_fresh")
    yield url
    server.drop_database(url)


# --------------------------------------------------------------------------- where the database is


def test_url_from_environment_then_secrets_then_default(tmp_path: Path) -> None:
    assert resolve_database_url({}, tmp_path) == DEFAULT_URL == "sqlite:///data/crossflow.db"
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('[database]\nurl = "postgresql://app@db:5432/crossflow"\n', encoding="utf-8")
    assert resolve_database_url({}, tmp_path) == "postgresql://app@db:5432/crossflow"
    assert resolve_database_url({ENV_VAR: "sqlite:////srv/x.db"}, tmp_path) == "sqlite:////srv/x.db"
    secrets.write_text("[database\nurl=", encoding="utf-8")
    with pytest.raises(InvalidInput, match="Cannot read"):
        resolve_database_url({}, tmp_path)
    secrets.write_text('[other]\nurl = "x"\n', encoding="utf-8")
    assert resolve_database_url({}, tmp_path) == DEFAULT_URL


def test_urls_are_normalised_to_the_shipped_drivers() -> None:
    assert normalize_url("postgresql://u:p@h:5432/d").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/d").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///data/x.db").drivername == "sqlite"
    with pytest.raises(InvalidInput, match='Unsupported database "mysql"'):
        normalize_url("mysql://u@h/d")
    with pytest.raises(InvalidInput, match="not valid"):
        normalize_url("no url at all")


def test_default_url_creates_data_dir_on_first_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VAR, raising=False)
    svc = WorkshopService.from_url()
    try:
        assert (tmp_path / "data" / "crossflow.db").is_file()
        assert current_revision(svc.engine) == head_revision()
    finally:
        svc.dispose()


def test_unreachable_database_is_a_clear_error() -> None:
    with pytest.raises(StoreUnavailable, match="Cannot open the database"):
        WorkshopService.from_url("postgresql://nobody@127.0.0.1:1/none")


def test_the_connection_pool_is_sized_from_the_environment(fresh_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert pool_settings({}) == (POOL_SIZE, MAX_OVERFLOW) == (20, 10)
    assert pool_settings({"CROSSFLOW_DB_POOL_SIZE": " 5 ", "CROSSFLOW_DB_MAX_OVERFLOW": "0"}) == (5, 0)
    with pytest.raises(InvalidInput, match="CROSSFLOW_DB_POOL_SIZE must be a whole number, not 'ten'"):
        pool_settings({"CROSSFLOW_DB_POOL_SIZE": "ten"})
    with pytest.raises(InvalidInput, match="CROSSFLOW_DB_POOL_SIZE must be at least 1, not 0"):
        pool_settings({"CROSSFLOW_DB_POOL_SIZE": "0"})
    with pytest.raises(InvalidInput, match="CROSSFLOW_DB_MAX_OVERFLOW must be at least 0, not -1"):
        pool_settings({"CROSSFLOW_DB_MAX_OVERFLOW": "-1"})
    # The service a replica starts with (PostgreSQL) takes the operator's sizes.
    monkeypatch.setenv("CROSSFLOW_DB_POOL_SIZE", "3")
    monkeypatch.setenv("CROSSFLOW_DB_MAX_OVERFLOW", "2")
    service = WorkshopService.from_url(fresh_url)
    try:
        pool = service.engine.pool
        assert isinstance(pool, sa.pool.QueuePool) and pool.size() == 3 and pool._max_overflow == 2
    finally:
        service.engine.dispose()
    # A value set on the call (the live-update routes' own small pool) wins over the environment.
    engine = make_engine(fresh_url, pool_size=2, max_overflow=8)
    assert engine.pool.size() == 2  # type: ignore[attr-defined]
    engine.dispose()


# --------------------------------------------------------------------------- SQLite connection settings


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        with engine.connect() as conn:
            pragma = conn.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 10_000
            assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL: durable against process crashes in WAL
    finally:
        engine.dispose()


def test_write_transactions_take_the_write_lock_at_begin(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.commit()
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with write_transaction(engine):  # nothing written yet, but the lock is held (BEGIN IMMEDIATE)
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
            assert other.execute("SELECT count(*) FROM t").fetchone() == (0,)  # readers are not blocked (WAL)
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.execute("ROLLBACK")
        other.close()
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- migrations


def test_migrations_match_the_tables_and_are_idempotent(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        engine.dispose()


def test_replicas_starting_together_migrate_once(fresh_url: str) -> None:
    errors: list[str] = []
    services: list[WorkshopService] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        try:
            services.append(WorkshopService.from_url(fresh_url))
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert errors == []
        assert len(services) == 4
        with services[0].engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
    finally:
        for svc in services:
            svc.dispose()


# --------------------------------------------------------------------------- retries


class _Busy(Exception):
    def __init__(self, sqlstate: str | None, text: str = "conflict") -> None:
        super().__init__(text)
        self.sqlstate = sqlstate


def test_serialization_failures_and_deadlocks_are_retried(tmp_path: Path) -> None:
    svc = WorkshopService.from_url(f"sqlite:///{tmp_path / 'r.db'}")
    calls: list[int] = []

    def flaky(_conn: sa.Connection) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise sa.exc.OperationalError("UPDATE", {}, _Busy("40001"))
        if len(calls) == 2:
            raise sa.exc.OperationalError("UPDATE", {}, _Busy("40P01"))
        if len(calls) == 3:
            raise sa.exc.OperationalError("BEGIN", {}, _Busy(None, "database is locked"))
        return "done"

    def always(_conn: sa.Connection) -> str:
        raise sa.exc.OperationalError("UPDATE", {}, _Busy("40001"))

    def broken(_conn: sa.Connection) -> str:
        raise sa.exc.OperationalError("SELECT", {}, _Busy("08006", "connection lost"))

    try:
        assert svc._transaction(flaky) == "done"
        assert len(calls) == 4
        with pytest.raises(StoreUnavailable, match="stayed busy"):
            svc._transaction(always)
        with pytest.raises(StoreUnavailable, match="connection lost"):
            svc._transaction(broken)
    finally:
        svc.dispose()


def test_the_sqlite_writer_queue_is_first_come_first_served() -> None:
    gate = FifoLock()
    order: list[int] = []
    started: list[threading.Event] = [threading.Event() for _ in range(6)]

    def writer(i: int) -> None:
        started[i].set()
        with gate:
            order.append(i)

    with gate:  # hold it while six writers line up one after another
        threads = []
        for i in range(6):
            thread = threading.Thread(target=writer, args=(i,))
            thread.start()
            started[i].wait()
            deadline = time.monotonic() + 5
            while len(gate._waiters) < i + 1 and time.monotonic() < deadline:
                time.sleep(0.001)
            threads.append(thread)
    for thread in threads:
        thread.join(timeout=5)
    assert order == [0, 1, 2, 3, 4, 5]
    with gate:  # free again
        assert not gate._waiters
