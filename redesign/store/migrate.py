"""Bring a database to the newest schema with Alembic, from code (no alembic.ini).

Idempotent, and safe when several replicas start at once: on PostgreSQL the
migration runs in one transaction holding a transaction-level advisory lock, so
the second replica waits, then finds the schema at head and does nothing; on
SQLite the migration's `BEGIN IMMEDIATE` serializes it the same way.
"""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from redesign.store.database import is_sqlite, write_transaction

MIGRATIONS = Path(__file__).parent / "migrations"
ADVISORY_LOCK_KEY = 0x43524F5353464C57  # "CROSSFLW" as a 64-bit int: one lock id for this schema


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None  # the package ships at least one revision
    return head


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine, attempts: int = 20) -> None:
    """Migrate to head unless already there (the check is one cheap query).

    On SQLite, processes opening a brand-new file together can get "database is
    locked" without waiting: switching the file to WAL takes an exclusive lock that
    the busy timeout does not cover. Each try is one transaction, so trying again is
    safe; the second process then finds the schema at head and does nothing.
    """
    for attempt in range(attempts):
        try:
            _upgrade_once(engine)
            return
        except sa.exc.OperationalError as exc:
            if not is_sqlite(engine) or "locked" not in str(exc.orig) or attempt == attempts - 1:
                raise
            engine.dispose()  # the next try opens fresh connections
            time.sleep(0.05 * (attempt + 1))


def _upgrade_once(engine: sa.Engine) -> None:
    if current_revision(engine) == head_revision():
        return
    config = alembic_config()
    with write_transaction(engine) as conn:
        if not is_sqlite(engine):
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
