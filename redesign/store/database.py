"""Where the database is and how to talk to it safely from many threads and processes.

SQLite (the default, in `data/`):
- WAL so readers never block the writer and vice versa; `synchronous=NORMAL`, which
  in WAL mode survives a crash of the process (not of the OS/power) with every
  committed transaction intact.
- `busy_timeout` so a writer in another process waits instead of failing.
- foreign keys on (SQLite has them off by default).
- Write transactions start with `BEGIN IMMEDIATE`: the write lock is taken up front,
  so two writers queue at BEGIN instead of one of them failing later with
  "database is locked" when it tries to upgrade a read lock.
- Within one process, writers also queue on a lock per database file (datasette's
  single-writer idea): SQLite's busy handler sleeps in steps of up to 100 ms, a
  Python lock hands over at once, which keeps write latency low under load.
PostgreSQL (when a URL is configured): psycopg 3, READ COMMITTED, pooled connections,
bounded lock waits.
"""

from __future__ import annotations

import os
import threading
import tomllib
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from redesign.store.errors import InvalidInput

ENV_VAR = "CROSSFLOW_DATABASE_URL"
DEFAULT_URL = "sqlite:///data/crossflow.db"
SQLITE_BUSY_TIMEOUT_MS = 10_000
WRITE_OPTION = "crossflow_write"
"""Execution option marking a connection whose transaction will write."""


def resolve_database_url(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> str:
    """Env CROSSFLOW_DATABASE_URL, else `.streamlit/secrets.toml` [database] url, else the SQLite default."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    url = environ.get(ENV_VAR, "").strip()
    if url:
        return url
    secrets_file = cwd / ".streamlit" / "secrets.toml"
    if secrets_file.is_file():
        try:
            secrets = tomllib.loads(secrets_file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"Cannot read {secrets_file}: {exc}") from exc
        section = secrets.get("database")
        if isinstance(section, dict) and isinstance(section.get("url"), str) and section["url"].strip():
            return section["url"].strip()
    return DEFAULT_URL


def normalize_url(url: str | URL) -> URL:
    """Parse a URL; plain `postgresql://` / `postgres://` mean psycopg 3 (the driver we ship)."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        # from None on purpose: SQLAlchemy's message quotes the URL, password included.
        raise InvalidInput(
            "The database URL is not valid; expected sqlite:///path/to/file.db or "
            "postgresql://user:password@host:5432/dbname"
        ) from None
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise InvalidInput(f'Unsupported database "{parsed.drivername}"; use SQLite or PostgreSQL.')
    return parsed


def is_sqlite(engine_or_url: sa.Engine | URL) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, sa.Engine) else engine_or_url
    return url.get_backend_name() == "sqlite"


def _sqlite_file(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


POOL_SIZE = 20
"""Connections kept open. A connection beyond these is closed when it is handed back, and under load
(50 people, each page reading as it writes) a pool of 5 opened and closed ~170 PostgreSQL
connections per 1,000 writes (a server process each), which more than doubled the write latency's
tail; 20 open keeps that to a few dozen in the harshest burst."""
MAX_OVERFLOW = 10
"""Connections opened beyond the pool under a peak (at most POOL_SIZE + MAX_OVERFLOW per process)."""
POOL_SIZE_ENV = "CROSSFLOW_DB_POOL_SIZE"
MAX_OVERFLOW_ENV = "CROSSFLOW_DB_MAX_OVERFLOW"


def pool_settings(environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """(pool size, overflow) from CROSSFLOW_DB_POOL_SIZE / CROSSFLOW_DB_MAX_OVERFLOW, else the defaults.

    Configurable because a PostgreSQL server's `max_connections` bounds replicas x (pool + overflow):
    an operator running many replicas, or sharing the server, sizes each replica's share.
    """
    environ = os.environ if environ is None else environ
    return (
        _whole_number(environ, POOL_SIZE_ENV, POOL_SIZE, minimum=1),
        _whole_number(environ, MAX_OVERFLOW_ENV, MAX_OVERFLOW, minimum=0),
    )


def _whole_number(environ: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise InvalidInput(f"{name} must be at least {minimum}, not {value}.")
    return value


def make_engine(url: str | URL, *, pool_size: int | None = None, max_overflow: int | None = None) -> sa.Engine:
    """An Engine configured as described in the module docstring; creates `data/` for SQLite files.

    ``pool_size`` / ``max_overflow``: None = `pool_settings()` (the environment, else the defaults).
    """
    if pool_size is None or max_overflow is None:
        configured = pool_settings()
        pool_size = configured[0] if pool_size is None else pool_size
        max_overflow = configured[1] if max_overflow is None else max_overflow
    parsed = normalize_url(url)
    if is_sqlite(parsed):
        path = _sqlite_file(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            parsed,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=60,
            connect_args={"timeout": 30},
            hide_parameters=True,  # a logged error shows the SQL, never the values (hashes, names, comments)
        )
        _configure_sqlite(engine)
        return engine
    return sa.create_engine(
        parsed,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=60,
        pool_recycle=1800,  # no pre-ping (a round trip per transaction); dead connections are retried instead
        hide_parameters=True,  # a logged error shows the SQL, never the values (hashes, names, comments)
        connect_args={
            "connect_timeout": 10,
            "application_name": "crossflow",
            # Bound every wait: a writer queued behind a stuck session gives up after
            # 30 s (StoreUnavailable) instead of hanging a page, and a session that
            # died inside a transaction releases its locks after 60 s.
            "options": "-c lock_timeout=30000 -c idle_in_transaction_session_timeout=60000",
        },
    )


def _configure_sqlite(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module (it would issue a
        # deferred BEGIN on its own); SQLAlchemy's "begin" event below emits ours.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class FifoLock:
    """A lock granted in arrival order: the releaser hands it straight to the oldest waiter.

    `threading.Lock` is not fair: under a queue of 50 writers, some wait many turns
    while others go again at once, which is what stretches the latency tail.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._held = False

    def __enter__(self) -> FifoLock:
        with self._mutex:
            if not self._held:
                self._held = True
                return self
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        turn.acquire()  # released by the previous holder: ownership passes without a race
        return self

    def __exit__(self, *exc: object) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._held = False


_GATES: dict[str, FifoLock] = {}
_GATES_LOCK = threading.Lock()


def write_gate(engine: sa.Engine) -> AbstractContextManager[Any]:
    """The in-process writer queue for an SQLite file (first come, first served); a no-op for PostgreSQL,
    whose row lock on the workshop queues writers (in order) across processes and replicas."""
    if not is_sqlite(engine):
        return nullcontext()
    path = _sqlite_file(engine.url)
    name = str(path.resolve()) if path is not None else f"memory:{id(engine)}"
    with _GATES_LOCK:
        return _GATES.setdefault(name, FifoLock())


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One write transaction: queued behind other writers, committed on success, rolled back on error."""
    with write_gate(engine), engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            yield conn


@contextmanager
def read_transaction(engine: sa.Engine, snapshot: bool = True) -> Iterator[sa.Connection]:
    """A read transaction; `snapshot` makes several SELECTs consistent (REPEATABLE READ on PostgreSQL;
    SQLite read transactions are snapshots already)."""
    with engine.connect() as conn:
        if snapshot and not is_sqlite(engine):
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn
