"""Backup and restore of every workshop as one JSON file (the CLI wires these up).

The backup holds each workshop's export plus its join code and the *hashes* of its
facilitator key and participant tokens, so restored workshops keep their links and
codes working; secrets themselves are never stored anywhere. Deleted (archived)
workshops' final exports are included too.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from redesign.store.database import is_sqlite, make_engine, normalize_url, resolve_database_url
from redesign.store.errors import InvalidInput
from redesign.store.migrate import current_revision
from redesign.store.service import WorkshopService
from redesign.store.tables import utcnow

BACKUP_VERSION = 1


class RestoreReport(BaseModel):
    restored: list[str]  # workshop ids written
    skipped: list[str]  # already there (same id or join code): left untouched
    archived_added: int


def backup(url: str | None, path: str | Path) -> int:
    """Write every workshop of the database at `url` (None: the configured one) to `path`; returns the count.

    The file is written to a temporary name and renamed, so a crash never leaves a
    half-written backup under the final name.
    """
    _refuse_missing_database(url)
    svc = WorkshopService.from_url(url)
    try:
        body = svc.export_all()
    finally:
        svc.dispose()
    doc: dict[str, Any] = {"crossflow_backup_version": BACKUP_VERSION, "created_at": utcnow().isoformat(), **body}
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name, suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(doc, out, ensure_ascii=False, indent=1, allow_nan=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(body["workshops"])


def _refuse_missing_database(url: str | None) -> None:
    """A backup reads a database that exists and holds Crossflow's schema: never creates or migrates one.

    Opening a mistyped SQLite path would otherwise create an empty database and
    report "0 workshops" as if that were a backup.
    """
    parsed = normalize_url(url or resolve_database_url())
    database = parsed.database
    if is_sqlite(parsed) and database is not None and database not in ("", ":memory:") and not Path(database).is_file():
        raise InvalidInput(f"There is no database file {parsed.database}; check the path (nothing was written).")
    engine = make_engine(parsed)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    if revision is None:
        shown = parsed.render_as_string(hide_password=True)
        raise InvalidInput(f"{shown} holds no Crossflow workshops (no Crossflow schema); nothing to back up.")


def restore(url: str | None, path: str | Path) -> RestoreReport:
    """Load a backup into the database at `url` in one transaction: all of it or, on any refusal, nothing.

    Workshops already there (same id or join code) are skipped, not overwritten.
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"Cannot read the backup {path}: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"The backup {path} is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("crossflow_backup_version") != BACKUP_VERSION:
        raise InvalidInput(f"{path} is not a Crossflow backup (version {BACKUP_VERSION}).")
    workshops = doc.get("workshops")
    archived = doc.get("archived", [])
    if not isinstance(workshops, list) or not isinstance(archived, list):
        raise InvalidInput(f"{path} is not a Crossflow backup: it has no list of workshops.")
    svc = WorkshopService.from_url(url)
    try:
        restored, skipped, archived_added = svc.restore_backup(workshops, archived)
        return RestoreReport(restored=restored, skipped=skipped, archived_added=archived_added)
    finally:
        svc.dispose()
