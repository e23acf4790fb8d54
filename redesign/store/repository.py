"""The SQL: small functions over an open Connection, one statement (or two) each.

No rules live here (they are in `redesign.workshop` and `service.py`); these only
read and write rows. Bodies are JSON text of `model_dump(mode="json")`.

The statements every write runs (the seats, the workshop lock, the flow rows, the
events, proposals and comments) are built once, at import, with bound parameters:
building a Core statement and its cache key costs about five times as much Python as
executing the cached one (measured: ~240 us against ~50 us for a one-row SELECT), and
every write spends that time inside the workshop's queue, where everyone waits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Row

from redesign.store import announce
from redesign.store import tables as t
from redesign.store.records import (
    ArchivedRecord,
    CommentRecord,
    DecisionRecord,
    EditRecord,
    FlowItemRecord,
    ParticipantRecord,
    ProposalRecord,
    Seat,
    WorkshopRecord,
)
from redesign.writes.describe import describe_event
from redesign.writes.events import UNDOABLE_KINDS, EventKind, Logged, payload_problem

R = TypeVar("R", bound=NamedTuple)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


# --------------------------------------------------------------------------- workshops


def insert_workshop(conn: Connection, **values: Any) -> None:
    conn.execute(sa.insert(t.workshops).values(**values))


def _one(record: type[R], row: Row[Any] | None) -> R | None:
    return None if row is None else record._make(row)


def workshop(conn: Connection, workshop_id: str) -> WorkshopRecord | None:
    return _one(WorkshopRecord, conn.execute(sa.select(t.workshops).where(t.workshops.c.id == workshop_id)).first())


def workshop_by_code(conn: Connection, join_code: str) -> WorkshopRecord | None:
    stmt = sa.select(t.workshops).where(t.workshops.c.join_code == join_code)
    return _one(WorkshopRecord, conn.execute(stmt).first())


_WORKSHOP_VERSION = sa.select(t.workshops.c.version).where(t.workshops.c.id == sa.bindparam("b_id"))


def workshop_version(conn: Connection, workshop_id: str) -> int | None:
    return conn.execute(_WORKSHOP_VERSION, {"b_id": workshop_id}).scalar()


def workshop_ids(conn: Connection) -> list[str]:
    return list(conn.execute(sa.select(t.workshops.c.id).order_by(t.workshops.c.created_at)).scalars())


def lock_workshop(conn: Connection, workshop_id: str) -> WorkshopRecord | None:
    """The workshop row, locked until commit (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds
    the database's write lock). This is the queue all writers of one workshop wait in."""
    stmt = sa.select(t.workshops).where(t.workshops.c.id == workshop_id).with_for_update()
    return _one(WorkshopRecord, conn.execute(stmt).first())


_LOCK_FOR_TOKEN = (
    sa.select(
        t.workshops,
        t.participants.c.id.label("p_id"),
        t.participants.c.name.label("p_name"),
        t.participants.c.function.label("p_function"),
        t.participants.c.is_facilitator.label("p_is_facilitator"),
    )
    .join_from(t.participants, t.workshops, t.participants.c.workshop_id == t.workshops.c.id)
    .where(t.participants.c.token_hash == sa.bindparam("b_token"))
    .with_for_update(of=t.workshops)
)


def lock_for_token(conn: Connection, token_hash: str) -> tuple[WorkshopRecord, Seat] | None:
    """The caller's workshop's row, locked, and their seat, in one round trip."""
    row = conn.execute(_LOCK_FOR_TOKEN, {"b_token": token_hash}).first()
    if row is None:
        return None
    ws = WorkshopRecord._make(row[: len(WorkshopRecord._fields)])
    return ws, Seat(row.p_id, ws.id, row.p_name, row.p_function, row.p_is_facilitator)


_LOCK_WORKSHOPS = (
    sa.select(t.workshops)
    .where(t.workshops.c.id.in_(sa.bindparam("b_ids", expanding=True)))
    .order_by(t.workshops.c.id)
    .with_for_update()
)


def lock_workshops(conn: Connection, workshop_ids: Sequence[str]) -> list[WorkshopRecord]:
    """Lock several workshops' rows in id order (so two batches locking overlapping sets cannot deadlock)."""
    if not workshop_ids:
        return []
    return [WorkshopRecord._make(row) for row in conn.execute(_LOCK_WORKSHOPS, {"b_ids": list(workshop_ids)})]


_COMMIT_VERSION = sa.update(t.workshops).where(t.workshops.c.id == sa.bindparam("b_id"))
"""The SET clause comes from the parameters' keys (version, updated_at and the counters moved)."""


def commit_version(conn: Connection, workshop_id: str, version: int, now: datetime, **counters: int) -> None:
    """Set the new version and the per-workshop counters this write advanced (one statement)."""
    conn.execute(_COMMIT_VERSION, {"b_id": workshop_id, "version": version, "updated_at": now, **counters})
    announce.note(conn, workshop_id, version)  # announced to open pages once the transaction commits


def update_workshop(conn: Connection, workshop_id: str, **changes: Any) -> None:
    conn.execute(sa.update(t.workshops).where(t.workshops.c.id == workshop_id).values(**changes))


def take_numbers(conn: Connection, workshop_id: str, counter: str, n: int) -> int:
    """Reserve n numbers from a per-workshop counter; returns the first."""
    column = t.workshops.c[counter]
    stmt = sa.update(t.workshops).where(t.workshops.c.id == workshop_id).values({column: column + n}).returning(column)
    last: int = conn.execute(stmt).scalar_one()
    return last - n + 1


def delete_workshop(conn: Connection, workshop_id: str) -> None:
    conn.execute(sa.delete(t.workshops).where(t.workshops.c.id == workshop_id))


def archive(conn: Connection, workshop_id: str, name: str, at: datetime, export: dict[str, Any]) -> None:
    conn.execute(
        sa.insert(t.archived_workshops).values(workshop_id=workshop_id, name=name, archived_at=at, export=dumps(export))
    )


def archived(conn: Connection) -> list[ArchivedRecord]:
    rows = conn.execute(sa.select(t.archived_workshops).order_by(t.archived_workshops.c.id))
    return [ArchivedRecord._make(row) for row in rows]


# --------------------------------------------------------------------------- flow items


_FLOW_ITEMS = (
    sa.select(t.flow_items.c.kind, t.flow_items.c.item_id, t.flow_items.c.position, t.flow_items.c.body)
    .where(t.flow_items.c.workshop_id == sa.bindparam("b_wid"))
    .order_by(t.flow_items.c.kind, t.flow_items.c.position)
)


def flow_items(conn: Connection, workshop_id: str) -> list[FlowItemRecord]:
    return [FlowItemRecord._make(row) for row in conn.execute(_FLOW_ITEMS, {"b_wid": workshop_id})]


_ONE_ITEM = (
    t.flow_items.c.workshop_id == sa.bindparam("b_wid"),
    t.flow_items.c.kind == sa.bindparam("b_kind"),
    t.flow_items.c.item_id == sa.bindparam("b_item"),
)
_FLOW_ITEM = sa.select(t.flow_items.c.position, t.flow_items.c.body).where(*_ONE_ITEM)


def flow_item(conn: Connection, workshop_id: str, kind: str, item_id: str) -> tuple[int, Any] | None:
    """(position, body) of one item, or None."""
    row = conn.execute(_FLOW_ITEM, {"b_wid": workshop_id, "b_kind": kind, "b_item": item_id}).first()
    return None if row is None else (int(row.position), loads(row.body))


def insert_items(conn: Connection, workshop_id: str, rows: Sequence[tuple[str, str, int, Any]]) -> None:
    """Bulk insert (kind, item_id, position, body) rows."""
    if rows:
        conn.execute(
            sa.insert(t.flow_items),
            [
                {"workshop_id": workshop_id, "kind": k, "item_id": i, "position": p, "body": dumps(b)}
                for k, i, p, b in rows
            ],
        )


def insert_item_at(conn: Connection, workshop_id: str, kind: str, item_id: str, position: int, body: Any) -> None:
    """Insert at `position`; if that place is taken, the items from there on move one place down.

    Positions may have gaps (deletions do not renumber), so a row put back where it
    was usually finds its place free and nothing else moves.
    """
    c = t.flow_items.c
    if position_taken(conn, workshop_id, kind, position):
        here = sa.and_(c.workshop_id == workshop_id, c.kind == kind)
        conn.execute(sa.update(t.flow_items).where(here, c.position >= position).values(position=c.position + 1))
    insert_items(conn, workshop_id, [(kind, item_id, position, body)])


_UPDATE_ITEM = sa.update(t.flow_items).where(*_ONE_ITEM).values(body=sa.bindparam("b_body"))


def update_item(conn: Connection, workshop_id: str, kind: str, item_id: str, body: Any) -> None:
    conn.execute(_UPDATE_ITEM, {"b_wid": workshop_id, "b_kind": kind, "b_item": item_id, "b_body": dumps(body)})


def update_items(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Several items' new bodies in one executemany: rows of b_wid, b_kind, b_item and b_body (JSON text)."""
    if rows:
        conn.execute(_UPDATE_ITEM, list(rows))


def set_positions(conn: Connection, workshop_id: str, kind: str, order: Sequence[str]) -> None:
    c = t.flow_items.c
    stmt = (
        sa.update(t.flow_items)
        .where(c.workshop_id == workshop_id, c.kind == kind, c.item_id == sa.bindparam("b_item"))
        .values(position=sa.bindparam("b_pos"))
    )
    if order:
        conn.execute(stmt, [{"b_item": item, "b_pos": pos} for pos, item in enumerate(order)])


def positions(conn: Connection, workshop_id: str, kind: str) -> dict[str, int]:
    c = t.flow_items.c
    stmt = sa.select(c.item_id, c.position).where(c.workshop_id == workshop_id, c.kind == kind)
    return {str(row.item_id): int(row.position) for row in conn.execute(stmt)}


def position_taken(conn: Connection, workshop_id: str, kind: str, position: int) -> bool:
    c = t.flow_items.c
    stmt = sa.select(c.item_id).where(c.workshop_id == workshop_id, c.kind == kind, c.position == position).limit(1)
    return conn.execute(stmt).first() is not None


def put_positions(conn: Connection, workshop_id: str, kind: str, layout: dict[str, int]) -> None:
    """Set exact positions for the listed items (those that no longer exist are skipped by the WHERE)."""
    c = t.flow_items.c
    stmt = (
        sa.update(t.flow_items)
        .where(c.workshop_id == workshop_id, c.kind == kind, c.item_id == sa.bindparam("b_item"))
        .values(position=sa.bindparam("b_pos"))
    )
    if layout:
        conn.execute(stmt, [{"b_item": item, "b_pos": pos} for item, pos in layout.items()])


def delete_item(conn: Connection, workshop_id: str, kind: str, item_id: str) -> None:
    c = t.flow_items.c
    conn.execute(sa.delete(t.flow_items).where(c.workshop_id == workshop_id, c.kind == kind, c.item_id == item_id))


def max_position(conn: Connection, workshop_id: str, kind: str) -> int:
    c = t.flow_items.c
    stmt = sa.select(sa.func.max(c.position)).where(c.workshop_id == workshop_id, c.kind == kind)
    value = conn.execute(stmt).scalar()
    return -1 if value is None else int(value)


# --------------------------------------------------------------------------- participants


_PARTICIPANT_BY_TOKEN = sa.select(t.participants).where(t.participants.c.token_hash == sa.bindparam("b_token"))
_PARTICIPANTS_BY_TOKEN = sa.select(t.participants).where(
    t.participants.c.token_hash.in_(sa.bindparam("b_tokens", expanding=True))
)


def participant_by_token(conn: Connection, token_hash: str) -> ParticipantRecord | None:
    return _one(ParticipantRecord, conn.execute(_PARTICIPANT_BY_TOKEN, {"b_token": token_hash}).first())


def participants_by_token(conn: Connection, token_hashes: Iterable[str]) -> dict[str, ParticipantRecord]:
    """The seats of several callers in one query, by token hash (unknown hashes are absent)."""
    hashes = list(token_hashes)
    if not hashes:
        return {}
    rows = conn.execute(_PARTICIPANTS_BY_TOKEN, {"b_tokens": hashes})
    return {row.token_hash: ParticipantRecord._make(row) for row in rows}


def participants(conn: Connection, workshop_id: str) -> list[ParticipantRecord]:
    c = t.participants.c
    stmt = sa.select(t.participants).where(c.workshop_id == workshop_id).order_by(c.joined_at, c.id)
    return [ParticipantRecord._make(row) for row in conn.execute(stmt)]


def insert_participants(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(sa.insert(t.participants), list(rows))


def update_participant(conn: Connection, workshop_id: str, participant_id: str, **changes: Any) -> None:
    c = t.participants.c
    conn.execute(
        sa.update(t.participants).where(c.workshop_id == workshop_id, c.id == participant_id).values(**changes)
    )


# --------------------------------------------------------------------------- proposals, comments, decisions


def proposals(conn: Connection, workshop_id: str) -> list[ProposalRecord]:
    c = t.proposals.c
    stmt = sa.select(t.proposals).where(c.workshop_id == workshop_id).order_by(c.at, c.step_id)
    return [ProposalRecord._make(row) for row in conn.execute(stmt)]


def existing_items(
    conn: Connection, workshop_ids: Sequence[str], targets: Iterable[tuple[str, str]]
) -> set[tuple[str, str, str]]:
    """Which of the (kind, item id) targets exist in which of the workshops, as (workshop id, kind, item id)."""
    targets = set(targets)
    if not workshop_ids or not targets:
        return set()
    params = {
        "b_wids": list(workshop_ids),
        "b_kinds": sorted({kind for kind, _ in targets}),
        "b_items": sorted({item for _, item in targets}),
    }
    return {(row.workshop_id, row.kind, row.item_id) for row in conn.execute(_EXISTING_ITEMS, params)}


_EXISTING_ITEMS = sa.select(t.flow_items.c.workshop_id, t.flow_items.c.kind, t.flow_items.c.item_id).where(
    t.flow_items.c.workshop_id.in_(sa.bindparam("b_wids", expanding=True)),
    t.flow_items.c.kind.in_(sa.bindparam("b_kinds", expanding=True)),
    t.flow_items.c.item_id.in_(sa.bindparam("b_items", expanding=True)),
)


def current_proposals(
    conn: Connection, workshop_ids: Sequence[str], participant_ids: Iterable[str], step_ids: Iterable[str]
) -> dict[tuple[str, str, str], dict[str, str]]:
    """The participants' proposals on the steps, by (workshop id, step id, participant id): {tag, rationale}."""
    participant_ids, step_ids = sorted(set(participant_ids)), sorted(set(step_ids))
    if not workshop_ids or not participant_ids or not step_ids:
        return {}
    params = {"b_wids": list(workshop_ids), "b_people": participant_ids, "b_steps": step_ids}
    return {
        (row.workshop_id, row.step_id, row.participant_id): {"tag": row.tag, "rationale": row.rationale}
        for row in conn.execute(_CURRENT_PROPOSALS, params)
    }


_CURRENT_PROPOSALS = sa.select(
    t.proposals.c.workshop_id,
    t.proposals.c.step_id,
    t.proposals.c.participant_id,
    t.proposals.c.tag,
    t.proposals.c.rationale,
).where(
    t.proposals.c.workshop_id.in_(sa.bindparam("b_wids", expanding=True)),
    t.proposals.c.participant_id.in_(sa.bindparam("b_people", expanding=True)),
    t.proposals.c.step_id.in_(sa.bindparam("b_steps", expanding=True)),
)


def proposal(conn: Connection, workshop_id: str, step_id: str, participant_id: str) -> ProposalRecord | None:
    c = t.proposals.c
    stmt = sa.select(t.proposals).where(
        c.workshop_id == workshop_id, c.step_id == step_id, c.participant_id == participant_id
    )
    return _one(ProposalRecord, conn.execute(stmt).first())


def upsert_proposals(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or replace proposals, one per (workshop, step, participant), in order (ON CONFLICT, so two
    tabs cannot collide). One executemany."""
    if not rows:
        return
    conn.execute(_UPSERT_PROPOSALS[conn.dialect.name == "sqlite"], list(rows))


def _upsert_proposals(insert: Any) -> Any:
    stmt = insert(t.proposals)
    return stmt.on_conflict_do_update(
        index_elements=["workshop_id", "step_id", "participant_id"],
        set_={"tag": stmt.excluded.tag, "rationale": stmt.excluded.rationale, "at": stmt.excluded.at},
    )


_UPSERT_PROPOSALS = {True: _upsert_proposals(sqlite_insert), False: _upsert_proposals(postgresql_insert)}
"""By "is SQLite": building the ON CONFLICT clause alone took ~3 ms of Python per batch."""


def insert_proposals(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(sa.insert(t.proposals), list(rows))


def delete_proposal(conn: Connection, workshop_id: str, step_id: str, participant_id: str) -> None:
    c = t.proposals.c
    conn.execute(
        sa.delete(t.proposals).where(
            c.workshop_id == workshop_id, c.step_id == step_id, c.participant_id == participant_id
        )
    )


def comments(conn: Connection, workshop_id: str) -> list[CommentRecord]:
    c = t.comments.c
    stmt = sa.select(t.comments).where(c.workshop_id == workshop_id).order_by(c.id)
    return [CommentRecord._make(row) for row in conn.execute(stmt)]


def comment(conn: Connection, workshop_id: str, comment_id: int) -> CommentRecord | None:
    c = t.comments.c
    stmt = sa.select(t.comments).where(c.workshop_id == workshop_id, c.id == comment_id)
    return _one(CommentRecord, conn.execute(stmt).first())


_INSERT_COMMENTS = sa.insert(t.comments)


def insert_comments(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(_INSERT_COMMENTS, list(rows))


def set_comment_resolved(conn: Connection, workshop_id: str, comment_id: int, resolved: bool) -> None:
    c = t.comments.c
    conn.execute(
        sa.update(t.comments).where(c.workshop_id == workshop_id, c.id == comment_id).values(resolved=resolved)
    )


_DECISIONS = sa.select(t.decisions).where(t.decisions.c.workshop_id == sa.bindparam("b_wid"))


def decisions(conn: Connection, workshop_id: str) -> list[DecisionRecord]:
    return [DecisionRecord._make(row) for row in conn.execute(_DECISIONS, {"b_wid": workshop_id})]


def decision(conn: Connection, workshop_id: str, step_id: str) -> Any | None:
    c = t.decisions.c
    body = conn.execute(sa.select(c.body).where(c.workshop_id == workshop_id, c.step_id == step_id)).scalar()
    return loads(body)


def put_decision(conn: Connection, workshop_id: str, step_id: str, body: Any, by: str | None, at: datetime) -> None:
    c = t.decisions.c
    done = conn.execute(
        sa.update(t.decisions)
        .where(c.workshop_id == workshop_id, c.step_id == step_id)
        .values(body=dumps(body), settled_by=by, at=at)
    )
    if done.rowcount == 0:
        conn.execute(
            sa.insert(t.decisions).values(
                workshop_id=workshop_id, step_id=step_id, body=dumps(body), settled_by=by, at=at
            )
        )


def delete_decision(conn: Connection, workshop_id: str, step_id: str) -> None:
    c = t.decisions.c
    conn.execute(sa.delete(t.decisions).where(c.workshop_id == workshop_id, c.step_id == step_id))


# --------------------------------------------------------------------------- events


def event_row(
    wid: str,
    version: int,
    at: datetime,
    me: Any,
    kind: str,
    target: str,
    before: Any,
    after: Any,
    summary: str | None = None,
) -> dict[str, Any]:
    """One event-log row (without its number); `me` is the actor (None: Crossflow itself)."""
    for value in (before, after):
        problem = payload_problem(EventKind(kind), value)
        if problem:
            raise TypeError(f"Not a {kind} event: {problem}.")  # a bug in the writer, not bad input
    return {
        "workshop_id": wid,
        "version": version,
        "at": at,
        "actor_id": me.id if me is not None else None,
        "actor_name": me.name if me is not None else "Crossflow",
        "actor_function": me.function if me is not None else "",
        "kind": kind,
        "target": target,
        "summary": summary if summary is not None else describe_event(kind, target, before, after),
        "before": None if before is None else dumps(before),
        "after": None if after is None else dumps(after),
        "position": None,
        "undoes": None,
        "layout": None,
    }


_INSERT_EVENTS = sa.insert(t.events)


def insert_events(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(_INSERT_EVENTS, list(rows))


def logged(row: Row[Any]) -> Logged:
    """An event row as the write model reads it (JSON decoded, kind typed)."""
    return Logged(
        seq=row.seq,
        version=row.version,
        at=row.at,
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        actor_function=row.actor_function,
        kind=EventKind(row.kind),
        target=row.target,
        summary=row.summary,
        before=loads(row.before),
        after=loads(row.after),
        position=row.position,
        undoes=row.undoes,
        layout=loads(row.layout),
    )


def events(conn: Connection, workshop_id: str, limit: int | None = None, newest_first: bool = False) -> list[Logged]:
    c = t.events.c
    stmt = sa.select(t.events).where(c.workshop_id == workshop_id)
    stmt = stmt.order_by(c.seq.desc() if newest_first else c.seq)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [logged(row) for row in conn.execute(stmt)]


def edits_since(conn: Connection, workshop_id: str, version: int, targets: Iterable[str] | None) -> list[Logged]:
    """Flow edits and decisions logged after `version`, oldest first; all of them if targets is None."""
    params = {"b_wid": workshop_id, "b_version": version}
    if targets is None:
        return [logged(row) for row in conn.execute(_EDITS_SINCE, params)]
    rows = conn.execute(_EDITS_SINCE_ON, {**params, "b_targets": sorted(set(targets))})
    return [logged(row) for row in rows]


_EDITS = sa.select(t.events).where(
    t.events.c.workshop_id == sa.bindparam("b_wid"),
    t.events.c.version > sa.bindparam("b_version"),
    t.events.c.kind.in_(sorted(UNDOABLE_KINDS)),
)
_EDITS_SINCE = _EDITS.order_by(t.events.c.seq)
_EDITS_SINCE_ON = _EDITS.where(t.events.c.target.in_(sa.bindparam("b_targets", expanding=True))).order_by(
    t.events.c.seq
)


def last_undoable_version(conn: Connection, workshop_id: str) -> int | None:
    """The newest version holding a flow edit or decision that is neither an undo nor undone."""
    c = t.events.c
    undone = sa.select(c.undoes).where(c.workshop_id == workshop_id, c.undoes.is_not(None))
    stmt = sa.select(sa.func.max(c.version)).where(
        c.workshop_id == workshop_id,
        c.kind.in_(sorted(UNDOABLE_KINDS)),
        c.undoes.is_(None),
        c.version.not_in(undone),
    )
    value = conn.execute(stmt).scalar()
    return None if value is None else int(value)


def events_of_version(conn: Connection, workshop_id: str, version: int) -> list[Logged]:
    c = t.events.c
    stmt = sa.select(t.events).where(c.workshop_id == workshop_id, c.version == version).order_by(c.seq)
    return [logged(row) for row in conn.execute(stmt)]


def edit_events(conn: Connection, workshop_id: str, kinds: Iterable[str]) -> list[EditRecord]:
    """(actor_id, kind) of the events of these kinds: enough to count who edited what."""
    c = t.events.c
    stmt = sa.select(c.actor_id, c.kind).where(c.workshop_id == workshop_id, c.kind.in_(sorted(kinds)))
    return [EditRecord._make(row) for row in conn.execute(stmt)]
