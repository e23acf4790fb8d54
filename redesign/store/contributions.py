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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from redesign.store import repository as repo
from redesign.store.errors import AccessDenied, NotFound, StoreError, missing_item
from redesign.store.records import ParticipantRecord, WorkshopRecord
from redesign.workshop import Action, CommentKind, CommentOut, TargetKind, refusal

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

    @property
    def action(self) -> Action:
        return "propose" if isinstance(self.what, NewProposal) else "comment"

    @property
    def target(self) -> tuple[str, str]:
        """(flow item kind, id) that must exist."""
        if isinstance(self.what, NewProposal):
            return ("step", self.what.step_id)
        return (self.what.target_kind, self.what.target_id)


Outcome = int | CommentOut | StoreError
"""Per contribution: the version it made (proposal), the comment as stored, or why it was refused."""


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

    def __init__(self, conn: Connection, works: Sequence[Contribution], now: datetime) -> None:
        self.conn = conn
        self.now = now
        self.seats = repo.participants_by_token(conn, {work.token_hash for work in works})
        wids = sorted({me.workshop_id for me in self.seats.values()})
        self.workshops = {row.id: _Workshop(row) for row in repo.lock_workshops(conn, wids)}
        self.items = repo.existing_items(conn, wids, {work.target for work in works})
        self.current = repo.current_proposals(
            conn,
            wids,
            {me.id for me in self.seats.values()},
            {w.what.step_id for w in works if isinstance(w.what, NewProposal)},
        )
        self.proposals: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

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

    def add(self, work: Contribution) -> Outcome:
        try:
            me, workshop = self.admit(work)
        except StoreError as refused:
            return refused
        workshop.take(comment=isinstance(work.what, NewComment))
        if isinstance(work.what, NewProposal):
            return self._propose(me, workshop, work.what)
        return self._comment(me, workshop, work.what)

    def _log(self, me: ParticipantRecord, workshop: _Workshop, kind: str, target: str, before: Any, after: Any) -> None:
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
        self._log(me, workshop, "proposal.set", f"step:{new.step_id}", before, after)
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
            "comment.add",
            f"comment:{out.id}",
            None,
            {"target": about, "kind": new.kind, "text": new.text},
        )
        return out

    def flush(self) -> None:
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


def save(conn: Connection, works: Sequence[Contribution], now: datetime) -> list[Outcome]:
    """Save contributions in one transaction (the caller's); per work, in order, its outcome.

    The workshops are locked in id order first (two replicas' batches cannot deadlock),
    so everything read after it is current. Database errors propagate: the caller
    retries, or saves the works one by one.
    """
    batch = _Batch(conn, works, now)
    outcomes = [batch.add(work) for work in works]
    batch.flush()
    return outcomes
