"""A whole database as one document, and back (what `backup.py` writes to and reads from a file).

Every workshop's export with its secrets' hashes, plus the archive of deleted
workshops' final exports. Restoring checks every document before anything is
written, and never overwrites: a workshop whose id or join code is already here is
skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from redesign.model import Flow
from redesign.store import repository as repo
from redesign.store import transfer
from redesign.store.errors import InvalidInput
from redesign.store.schemas import WorkshopExport


def export_all(conn: Connection, now: datetime) -> dict[str, Any]:
    return {
        "workshops": [
            transfer.export_document(conn, wid, exported_at=now, with_secrets=True) for wid in repo.workshop_ids(conn)
        ],
        "archived": [
            {
                "workshop_id": r.workshop_id,
                "name": r.name,
                "archived_at": r.archived_at.isoformat(),
                "export": repo.loads(r.export),
            }
            for r in repo.archived(conn)
        ],
    }


def parse_workshops(workshops: Sequence[Mapping[str, Any]]) -> list[tuple[WorkshopExport, Flow]]:
    """Every workshop document of a backup, checked; a refusal names the workshop by its place."""
    parsed_all = []
    for i, doc in enumerate(workshops):
        try:
            if not isinstance(doc, Mapping):
                raise InvalidInput("it is not a workshop document.")
            parsed, flow = transfer.parse_export(dict(doc))
        except InvalidInput as exc:
            message = f"Workshop {i + 1} of the backup: {exc} Nothing was restored."
            raise InvalidInput(message, exc.problems) from exc
        if parsed.secrets is None:
            raise InvalidInput(
                f"Workshop {i + 1} of the backup has no secrets section (restore needs a file made by backup). "
                "Nothing was restored."
            )
        parsed_all.append((parsed, flow))
    return parsed_all


def restore(
    conn: Connection,
    parsed_all: Sequence[tuple[WorkshopExport, Flow]],
    archived: Sequence[Mapping[str, Any]],
    now: datetime,
) -> tuple[list[str], list[str], int]:
    """Insert the parsed workshops (skipping those already here) and the archive; (restored, skipped, added)."""
    restored: list[str] = []
    skipped: list[str] = []
    for parsed, flow in parsed_all:
        secrets = parsed.secrets
        assert secrets is not None
        if repo.workshop(conn, parsed.workshop.id) or repo.workshop_by_code(conn, secrets.join_code):
            skipped.append(parsed.workshop.id)
            continue
        transfer.insert_document(
            conn,
            parsed,
            flow,
            workshop_id=parsed.workshop.id,
            join_code=secrets.join_code,
            key_hash=secrets.facilitator_key_hash,
            facilitator_name=None,
            facilitator_token_hash=None,
            now=now,
        )
        restored.append(parsed.workshop.id)
    return restored, skipped, _restore_archive(conn, archived)


def _restore_archive(conn: Connection, entries: Sequence[Mapping[str, Any]]) -> int:
    existing = {(r.workshop_id, r.archived_at.isoformat()) for r in repo.archived(conn)}
    added = 0
    for i, entry in enumerate(entries):
        try:
            at = datetime.fromisoformat(str(entry["archived_at"]))
            wid, name, export = str(entry["workshop_id"]), str(entry["name"]), dict(entry["export"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(
                f"Archived export {i + 1} of the backup is incomplete ({exc}). Nothing was restored."
            ) from exc
        if (wid, at.isoformat()) in existing:
            continue
        repo.archive(conn, wid, name, at, export)
        added += 1
    return added
