"""Operator tasks on a database: migrate it to the newest schema, back it up, restore it.

The command line (`python -m redesign migrate|backup|restore`) and the deployment
scripts in `deploy/` call these; every failure is a `StoreError` whose text names the
problem and the database (password hidden), never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from pydantic import BaseModel

from redesign.store import backup as backups
from redesign.store.backup import RestoreReport
from redesign.store.database import make_engine, normalize_url, resolve_database_url
from redesign.store.errors import StoreUnavailable
from redesign.store.migrate import alembic_config, current_revision, head_revision, upgrade


class Migrated(BaseModel):
    """What `migrate` found and left: schema revisions before and after (None: an empty database)."""

    database: str  # the URL with its password hidden, for messages and logs
    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def message(self) -> str:
        if not self.changed:
            return f"{self.database}: schema already at {self.after}; nothing to do"
        return f"{self.database}: schema migrated from {self.before or 'empty'} to {self.after}"


def shown_url(url: str | None) -> str:
    """The database URL as it may appear in a log: password masked."""
    return normalize_url(url or resolve_database_url()).render_as_string(hide_password=True)


def _reason(exc: sa.exc.DBAPIError) -> str:
    """The driver's message on one line (psycopg adds hints on further lines)."""
    return " ".join(str(exc.orig).split())


def _known(revision: str) -> bool:
    return any(script.revision == revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions())


def migrate(url: str | None = None) -> Migrated:
    """Bring the database at `url` (None: the configured one) to the newest schema; idempotent.

    Run it once before starting replicas. Replicas started together are safe anyway
    (the migration holds an advisory lock), but one explicit run makes a failure
    visible in one place instead of in every replica's log.
    """
    database = shown_url(url)
    engine = make_engine(url or resolve_database_url())
    try:
        before = current_revision(engine)
        if before is not None and not _known(before):
            raise StoreUnavailable(
                f"{database}: the schema is at revision {before}, which this Crossflow does not know "
                f"(its newest is {head_revision()}): the database was migrated by a newer Crossflow; "
                "upgrade Crossflow instead"
            )
        upgrade(engine)
        after = current_revision(engine)
    except sa.exc.OperationalError as exc:
        raise StoreUnavailable(f"Cannot open the database {database}: {_reason(exc)}") from exc
    finally:
        engine.dispose()
    assert after is not None  # upgrade() left the schema at head
    return Migrated(database=database, before=before, after=after)


def backup(url: str | None, path: str | Path) -> int:
    """Write every workshop to the JSON file `path` (atomically); returns how many workshops.

    Refuses a database that does not exist or holds no Crossflow schema (never creates one)."""
    try:
        return backups.backup(url, path)
    except sa.exc.DatabaseError as exc:
        raise StoreUnavailable(f"Cannot read the database {shown_url(url)}: {_reason(exc)}") from exc
    except OSError as exc:
        raise StoreUnavailable(f"Cannot write the backup {path}: {exc.strerror or exc}") from exc


def restore(url: str | None, path: str | Path) -> RestoreReport:
    """Load the backup `path` into the database; workshops already there are left untouched."""
    try:
        return backups.restore(url, path)
    except sa.exc.OperationalError as exc:
        raise StoreUnavailable(f"Cannot write to the database {shown_url(url)}: {_reason(exc)}") from exc
