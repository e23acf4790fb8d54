"""Proposals and comments: the writes many people make at once, and how they are saved.

A contribution is never stale-checked (one person's tag cannot overwrite another's),
so concurrent ones can share a transaction: `save` takes a batch gathered by
`GroupCommit` (often a batch of one) and saves it with a fixed number of statements,
whatever its size: the callers' seats, the workshops' rows (locked), the steps and
hand-offs named and the callers' current proposals are each read in one query; the
proposals, comments and events are each written in one executemany (which psycopg
pipelines), and each workshop's version is bumped once. Each write still gets its
own version number and event, exactly as if it had been saved alone, and a write
refused for its own reasons (unknown step, wrong phase, stale session) fails alone
without failing its batch.

Step and hand-off updates (`ItemUpdate`, the edit people make most) are saved here too when
they are the plain case: allowed, not stale, the item there, its references sound. The
batch reads the flow's rows and the edits since the oldest base version once per workshop
and writes the items in one executemany; run one by one, each edit cost eight statements
and a savepoint inside the queue (profiling issue 13's mixed load). Anything else (a stale
edit, a refusal, a missing item) is `DECLINED` here, and the service runs that write through its
usual path after the batch, which gives the exact answer: the batch's own writes are in
the database by then, so an edit made stale by one earlier in the batch is refused as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.engine import Connection

from redesign.model import Flow, Handoff, Step
from redesign.store import repository as repo
from redesign.store.errors import AccessDenied, NotFound, StoreError, missing_item
from redesign.store.flow_cache import FlowCache, RowsKey
from redesign.store.records import ParticipantRecord, WorkshopRecord
from redesign.store.reporting import Where
from redesign.workshop import Action, CommentKind, CommentOut, TargetKind, refusal
from redesign.writes import parts
from redesign.writes.events import EventKind, Verb
from redesign.writes.refusals import item_problems

BAD_TOKEN = "This session is not valid for any workshop (any more). Join again with the workshop's code."
GONE = "This workshop no longer exists."


@dataclass(frozen=True)
class NewProposal:
    """My tag for a step (it replaces my previous one for that step)."""

    step_id: str
    tag: str
    rationale: str


@dataclass(frozen=True)
class NewComment:
    """A comment or flag on a step or hand-off."""

    target_kind: TargetKind
    target_id: str
    kind: CommentKind
    text: str


@dataclass(frozen=True)
class Contribution:
    """One proposal or comment to save on behalf of the holder of the token whose hash is `token_hash`."""

    token_hash: str
    what: NewProposal | NewComment
    where: Where | None = field(default=None, compare=False)  # told the workshop, for the logs (`reporting`)

    @property
    def action(self) -> Action:
        return "propose" if isinstance(self.what, NewProposal) else "comment"

    @property
    def target(self) -> tuple[str, str]:
        """(flow item kind, id) that must exist."""
        if isinstance(self.what, NewProposal):
            return ("step", self.what.step_id)
        return (self.what.target_kind, self.what.target_id)


@dataclass(frozen=True)
class ItemUpdate:
    """A step or hand-off replaced by id (`item`, already validated), based on the version the caller saw.

    `fallback` is the service's own write for it, run when the batch declines it (see the module doc).
    """

    token_hash: str
    kind: str  # "step" or "handoff"
    item: Step | Handoff
    base_version: Any  # checked here; a bad one is declined and refused by the fallback
    fallback: Any
    where: Where | None = field(default=None, compare=False)  # told the workshop, for the logs (`reporting`)

    action: ClassVar[Action] = "edit_flow"

    @property
    def target(self) -> tuple[str, str]:
        return (self.kind, self.item.id)


class Declined:
    """The batch did not save this update: the service's usual write path must (see the module doc)."""


DECLINED = Declined()

Outcome = int | CommentOut | StoreError | Declined
"""Per write: the version it made (proposal, update), the comment as stored, why it was refused, or DECLINED."""


@dataclass
class _FlowState:
    """One workshop's flow as this batch has it: parsed, its rows' key, the item bodies as stored, and
    the flow edits logged since the oldest base version of the batch's updates (stored, then this batch's)."""

    flow: Flow
    key: RowsKey
    bodies: dict[tuple[str, str], str]
    edits: list[tuple[int, str, str | None]]  # (version, target, actor id)


class _Workshop:
    """A locked workshop's row and the numbers the batch has taken from it so far."""

    def __init__(self, row: WorkshopRecord) -> None:
        self.row = row
        self.version = int(row.version)
        self.event_seq = int(row.event_seq)
        self.comment_seq = int(row.comment_seq)

    def take(self, comment: bool) -> None:
        self.version += 1
        self.event_seq += 1
        self.comment_seq += int(comment)

    @property
    def moved(self) -> bool:
        return self.version != int(self.row.version)


class _Batch:
    """The writes of one batch, collected in arrival order and flushed together."""

    def __init__(
        self, conn: Connection, works: Sequence[Contribution | ItemUpdate], now: datetime, flows: FlowCache
    ) -> None:
        self.conn = conn
        self.now = now
        self.flows = flows
        self.updates = [w for w in works if isinstance(w, ItemUpdate)]
        self.seats = repo.participants_by_token(conn, {work.token_hash for work in works})
        wids = sorted({me.workshop_id for me in self.seats.values()})
        self.workshops = {row.id: _Workshop(row) for row in repo.lock_workshops(conn, wids)}
        targets = {work.target for work in works if isinstance(work, Contribution)}  # updates read the flow
        self.items = repo.existing_items(conn, wids, targets)
        self.current = repo.current_proposals(
            conn,
            wids,
            {me.id for me in self.seats.values()},
            {w.what.step_id for w in works if isinstance(w, Contribution) and isinstance(w.what, NewProposal)},
        )
        self.proposals: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.items_written: list[dict[str, Any]] = []
        self.flow_states: dict[str, _FlowState] = {}

    def admit(self, work: Contribution) -> tuple[ParticipantRecord, _Workshop]:
        """The caller and their workshop, if this write is allowed; else the StoreError saying why not."""
        me = self.seats.get(work.token_hash)
        if me is None:
            raise AccessDenied(BAD_TOKEN)
        workshop = self.workshops.get(me.workshop_id)
        if workshop is None:
            raise NotFound(GONE)
        kind, item_id = work.target
        if (me.workshop_id, kind, item_id) not in self.items:
            raise missing_item(kind, item_id)
        problem = refusal(work.action, workshop.row.phase, me.is_facilitator, workshop.row.locked)
        if problem:
            raise AccessDenied(problem)
        return me, workshop

    def add(self, work: Contribution | ItemUpdate) -> Outcome:
        seat = self.seats.get(work.token_hash)
        if seat is not None and work.where is not None:
            work.where.workshop_id = seat.workshop_id
        if isinstance(work, ItemUpdate):
            return self._update(work)
        try:
            me, workshop = self.admit(work)
        except StoreError as refused:
            return refused
        workshop.take(comment=isinstance(work.what, NewComment))
        if isinstance(work.what, NewProposal):
            return self._propose(me, workshop, work.what)
        return self._comment(me, workshop, work.what)

    def _log(
        self, me: ParticipantRecord, workshop: _Workshop, kind: EventKind, target: str, before: Any, after: Any
    ) -> None:
        event = repo.event_row(workshop.row.id, workshop.version, self.now, me, kind, target, before, after)
        self.events.append({**event, "seq": workshop.event_seq})

    def _propose(self, me: ParticipantRecord, workshop: _Workshop, new: NewProposal) -> int:
        key = (me.workshop_id, new.step_id, me.id)
        before = self.current.get(key)
        after = {"tag": new.tag, "rationale": new.rationale}
        self.current[key] = after  # a second proposal in the same batch replaces this one
        self.proposals.append(
            {
                "workshop_id": me.workshop_id,
                "step_id": new.step_id,
                "participant_id": me.id,
                "tag": new.tag,
                "rationale": new.rationale,
                "at": self.now,
            }
        )
        self._log(me, workshop, EventKind.PROPOSAL_SET, f"step:{new.step_id}", before, after)
        return workshop.version

    def _comment(self, me: ParticipantRecord, workshop: _Workshop, new: NewComment) -> CommentOut:
        out = CommentOut(
            id=workshop.comment_seq,
            author_id=me.id,
            author_name=me.name,
            author_function=me.function,
            target_kind=new.target_kind,
            target_id=new.target_id,
            kind=new.kind,
            text=new.text,
            resolved=False,
            at=self.now,
        )
        row = out.model_dump(include={"id", "target_kind", "target_id", "kind", "text", "resolved", "at"})
        self.comments.append({**row, "workshop_id": me.workshop_id, "participant_id": me.id})
        about = f"{'step' if new.target_kind == 'step' else 'hand-off'} {new.target_id}"
        self._log(
            me,
            workshop,
            EventKind.COMMENT_ADD,
            f"comment:{out.id}",
            None,
            {"target": about, "kind": new.kind, "text": new.text},
        )
        return out

    def _flow_state(self, wid: str) -> _FlowState:
        state = self.flow_states.get(wid)
        if state is None:
            flow, key = self.flows.load(self.conn, wid)
            mine = [u for u in self.updates if (seat := self.seats.get(u.token_hash)) and seat.workshop_id == wid]
            bases = [u.base_version for u in mine if _whole(u.base_version)]
            targets = {parts.target(*u.target) for u in mine}
            since = repo.edits_since(self.conn, wid, min(bases), targets) if bases else []
            state = _FlowState(
                flow,
                key,
                {(kind, item_id): body for kind, item_id, _, body in key[1]},
                [(int(e.version), str(e.target), e.actor_id) for e in since],
            )
            self.flow_states[wid] = state
        return state

    def _update(self, work: ItemUpdate) -> Outcome:
        """Save the plain case of a step or hand-off update, as `WorkshopService.update_step` would; else
        DECLINED (refused, stale, missing or inconsistent: the service's write says which)."""
        me = self.seats.get(work.token_hash)
        workshop = self.workshops.get(me.workshop_id) if me is not None else None
        if me is None or workshop is None:
            return DECLINED
        if refusal(work.action, workshop.row.phase, me.is_facilitator, workshop.row.locked):
            return DECLINED
        base = work.base_version
        if not _whole(base) or base > workshop.version:
            return DECLINED
        state = self._flow_state(workshop.row.id)
        kind, item_id = work.target
        target = parts.target(kind, item_id)
        if any(v > base and t == target and actor != me.id for v, t, actor in state.edits):
            return DECLINED  # stale: the service's write names who changed what
        stored = state.bodies.get((kind, item_id))
        body = work.item.model_dump(mode="json")
        if stored is None:
            return DECLINED
        current = repo.loads(stored)
        if body == current:
            return workshop.version  # unchanged: no version, no event (declined, it would run after later writes)
        field = parts.LIST_FIELDS[kind]
        items = [work.item if x.id == item_id else x for x in getattr(state.flow, field)]
        index = next(i for i, x in enumerate(items) if x.id == item_id)
        if item_problems(state.flow, kind, index, body) != []:
            return DECLINED
        workshop.take(comment=False)
        text = repo.dumps(body)
        self.items_written.append({"b_wid": workshop.row.id, "b_kind": kind, "b_item": item_id, "b_body": text})
        self._log(me, workshop, EventKind.of(kind, Verb.UPDATE), target, current, body)
        state.edits.append((workshop.version, target, me.id))
        state.bodies[(kind, item_id)] = text
        state.flow = state.flow.model_copy(update={field: items})
        state.key = self.flows.put_after_update(state.key, kind, item_id, body, state.flow)
        return workshop.version

    def flush(self) -> None:
        repo.update_items(self.conn, self.items_written)
        repo.upsert_proposals(self.conn, self.proposals)
        repo.insert_comments(self.conn, self.comments)
        for wid, workshop in self.workshops.items():
            if workshop.moved:
                repo.commit_version(
                    self.conn,
                    wid,
                    workshop.version,
                    self.now,
                    event_seq=workshop.event_seq,
                    comment_seq=workshop.comment_seq,
                )
        repo.insert_events(self.conn, self.events)


def _whole(value: Any) -> bool:
    """A version number a caller could have seen (a whole number, not a bool, not negative)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def save(
    conn: Connection, works: Sequence[Contribution | ItemUpdate], now: datetime, flows: FlowCache | None = None
) -> list[Outcome]:
    """Save contributions (and the plain item updates) in one transaction (the caller's); per work, in
    order, its outcome. `flows` is the service's parsed flows (updates read and keep them there).

    The workshops are locked in id order first (two replicas' batches cannot deadlock),
    so everything read after it is current. Database errors propagate: the caller
    retries, or saves the works one by one.
    """
    batch = _Batch(conn, works, now, flows if flows is not None else FlowCache())
    outcomes = [batch.add(work) for work in works]
    batch.flush()
    return outcomes
