"""A throwaway PostgreSQL server for tests and benchmarks.

`start_pg_server()` runs Debian's PostgreSQL binaries directly (initdb + pg_ctl, no
cluster wrapper): a fresh data directory in a temp dir, trust auth, listening only on
127.0.0.1 at a free port, sockets kept inside the temp dir. As root the server runs
as the ``postgres`` user (PostgreSQL refuses to run as root). `stop()` removes it all.

Importable from any test folder (``from tests.pg_server import ...``; pytest puts the
repo root on sys.path) and from bench scripts run at the repo root.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

PG_BIN_DIRS = tuple(Path(f"/usr/lib/postgresql/{v}/bin") for v in (15, 16, 17))
"""Where Debian puts initdb/pg_ctl; env CROSSFLOW_PG_BIN names another (and only that) directory."""


class PgUnavailable(RuntimeError):
    """No PostgreSQL server could be started here; the message says why."""


def find_pg_bin() -> Path | None:
    """The directory holding both initdb and pg_ctl, or None."""
    override = os.environ.get("CROSSFLOW_PG_BIN", "").strip()
    candidates = [Path(override)] if override else list(PG_BIN_DIRS)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    if override:
        return None
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    """PostgreSQL will not run as root: run it as `postgres` through runuser."""
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PgUnavailable("running as root but `runuser` is missing, so PostgreSQL cannot be started")
    return [runuser, "-u", "postgres", "--", *cmd]


def _chown_to_server_user(path: Path) -> None:
    if os.geteuid() != 0:
        return
    import pwd  # POSIX only; imported here so the module imports anywhere

    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        raise PgUnavailable("running as root but there is no `postgres` user to run the server as") from None
    os.chown(path, entry.pw_uid, entry.pw_gid)


@dataclass
class PgServer:
    """A running server; `url()` names a database on it."""

    host: str
    port: int
    user: str = "postgres"
    password: str | None = None
    directory: Path | None = None  # None: an external server we did not start
    bin_dir: Path | None = None
    databases: list[str] = field(default_factory=list)

    def url(self, database: str = "postgres") -> str:
        from sqlalchemy.engine import URL

        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            password=self.password,
            host=self.host,
            port=self.port,
            database=database,
        ).render_as_string(hide_password=False)

    def _admin(self):  # psycopg connection to the maintenance database, autocommit
        import psycopg

        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, dbname="postgres", autocommit=True
        )

    def create_database(self, prefix: str = "crossflow_test") -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[-1]
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.databases:
            self.databases.remove(name)

    def stop(self) -> None:
        """Stop a server we started (immediately; it is throwaway) and delete its files."""
        if self.directory is None or self.bin_dir is None:
            return
        data = self.directory / "data"
        if data.exists():
            subprocess.run(
                _as_server_user([str(self.bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory = None


def start_pg_server(*, fsync: bool = False, max_connections: int = 200) -> PgServer:
    """Start a fresh server; raises `PgUnavailable` (with the reason) when it cannot.

    fsync=False makes tests fast and is safe for a server whose data we throw away;
    benchmarks pass fsync=True so commit latency is honest.
    """
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise PgUnavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    directory = Path(tempfile.mkdtemp(prefix="crossflow-pg-"))
    try:
        _chown_to_server_user(directory)
        data = directory / "data"
        init = subprocess.run(
            _as_server_user(
                [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]
            ),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if init.returncode != 0:
            raise PgUnavailable(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
        port = free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c max_connections={max_connections}"
            f" -c fsync={'on' if fsync else 'off'} -c full_page_writes={'on' if fsync else 'off'}"
        )
        pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(directory / "server.log")]
        start = subprocess.run(
            _as_server_user([*pg_ctl, "-w", "-t", "60", "start"]),
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        if start.returncode != 0:
            log = (
                (directory / "server.log").read_text(errors="replace")[-2000:]
                if (directory / "server.log").exists()
                else ""
            )
            raise PgUnavailable(f"pg_ctl start failed: {start.stderr.strip()} {log}".strip())
        return PgServer(host="127.0.0.1", port=port, directory=directory, bin_dir=bin_dir)
    except BaseException:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(directory / "data"), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(directory, ignore_errors=True)
        raise


def server_from_url(url: str) -> PgServer:
    """Wrap an existing server named by a URL such as CROSSFLOW_TEST_PG_URL."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return PgServer(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
    )
