"""What the pages read: a workshop's state for one viewer, its history and who has been heard.

Each function runs inside one read transaction (see `WorkshopService`), so what it
returns is consistent at one version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from redesign.model import Decision, Flow, Tag
from redesign.store import repository as repo
from redesign.store import transfer
from redesign.store.errors import NotFound
from redesign.store.records import CommentRecord, ParticipantRecord, ProposalRecord, WorkshopRecord
from redesign.store.schemas import (
    CommentOut,
    Contribution,
    EventOut,
    Participant,
    Phase,
    ProposalOut,
    WorkshopState,
)
from redesign.workshop import contribution as contribution_rows
from redesign.workshop import function_contribution, permissions
from redesign.writes.describe import describe_event
from redesign.writes.events import EDIT_KINDS, Item, Logged


def participant(row: ParticipantRecord) -> Participant:
    return Participant(
        id=row.id,
        workshop_id=row.workshop_id,
        name=row.name,
        function=row.function,
        is_facilitator=row.is_facilitator,
        joined_at=row.joined_at,
    )


@dataclass(frozen=True)
class Room:
    """A workshop's whole state at one version, before it is filtered for a viewer.

    Read-only: the view route shares one Room between every seat that asks for the same
    version (see `RoomCache`), so nothing here may be changed in place.
    """

    workshop_id: str
    version: int
    flow: Flow
    people: Mapping[str, Participant]
    proposals: tuple[ProposalOut, ...]  # everyone's; `seat_state` hides others' before the reveal
    counts: Mapping[str, Mapping[Tag, int]]
    comments: tuple[CommentOut, ...]
    decisions: tuple[Decision, ...]


def room(conn: Connection, ws: WorkshopRecord) -> Room:
    """Everything in the workshop `ws` (read in this transaction) at ws.version."""
    flow = transfer.load_flow(conn, ws.id)
    people = {p.id: participant(p) for p in repo.participants(conn, ws.id)}
    step_ids = {s.id for s in flow.steps}
    proposals = tuple(_proposal_out(r, people) for r in repo.proposals(conn, ws.id) if r.step_id in step_ids)
    counts: dict[str, dict[Tag, int]] = {}
    for p in proposals:
        counts.setdefault(p.step_id, {}).setdefault(p.tag, 0)
        counts[p.step_id][p.tag] += 1
    targets = {"step": step_ids, "handoff": {h.id for h in flow.handoffs}}
    comments = tuple(_comment_out(r, people, targets) for r in repo.comments(conn, ws.id))
    order = {s.id: i for i, s in enumerate(flow.steps)}
    decided = sorted(
        (Decision.model_validate(repo.loads(r.body)) for r in repo.decisions(conn, ws.id)),
        key=lambda d: order.get(d.step, len(order)),
    )
    return Room(ws.id, ws.version, flow, people, proposals, counts, comments, tuple(decided))


def seat_state(ws: WorkshopRecord, everything: Room, me_id: str) -> WorkshopState:
    """The state one seat may see: before the reveal a participant sees only their own proposals."""
    me = everything.people[me_id]
    proposals = everything.proposals
    visible = proposals if ws.revealed or me.is_facilitator else [p for p in proposals if p.participant_id == me.id]
    return WorkshopState(
        workshop_id=ws.id,
        name=ws.name,
        goal=ws.goal,
        join_code=ws.join_code,
        version=ws.version,
        phase=Phase(ws.phase),
        locked=ws.locked,
        revealed=ws.revealed,
        focus_step=ws.focus_step,
        timer_ends_at=ws.timer_ends_at,
        flow=everything.flow,
        participants=list(everything.people.values()),
        proposals=list(visible),
        proposal_counts={step: dict(tags) for step, tags in everything.counts.items()},
        comments=list(everything.comments),
        decisions=list(everything.decisions),
        me=me,
        can=permissions(ws.phase, me.is_facilitator, ws.locked),
    )


def workshop_of(conn: Connection, me_row: ParticipantRecord) -> WorkshopRecord:
    ws = repo.workshop(conn, me_row.workshop_id)
    if ws is None:
        raise NotFound("This workshop no longer exists.")
    return ws


def state(conn: Connection, me_row: ParticipantRecord) -> WorkshopState:
    ws = workshop_of(conn, me_row)
    return seat_state(ws, room(conn, ws), me_row.id)


def _proposal_out(row: ProposalRecord, people: Mapping[str, Participant]) -> ProposalOut:
    person = people[row.participant_id]
    return ProposalOut(
        participant_id=row.participant_id,
        participant_name=person.name,
        function=person.function,
        step_id=row.step_id,
        tag=Tag(row.tag),
        rationale=row.rationale,
        at=row.at,
    )


def _comment_out(row: CommentRecord, people: Mapping[str, Participant], targets: Mapping[str, set[str]]) -> CommentOut:
    person = people[row.participant_id]
    return CommentOut(
        id=row.id,
        author_id=row.participant_id,
        author_name=person.name,
        author_function=person.function,
        target_kind=row.target_kind,
        target_id=row.target_id,
        kind=row.kind,
        text=row.text,
        resolved=row.resolved,
        at=row.at,
        orphaned=row.target_id not in targets.get(row.target_kind, set()),
    )


def event_out(row: Logged, hide_tags: bool) -> EventOut:
    private = hide_tags and row.kind.item is Item.PROPOSAL
    return EventOut(
        seq=row.seq,
        version=row.version,
        at=row.at,
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        actor_function=row.actor_function,
        kind=row.kind.value,
        target=row.target,
        summary=describe_event(row.kind, row.target, None, None, private=True) if private else row.summary,
        before=None if private else row.before,
        after=None if private else row.after,
    )


def history(conn: Connection, me: ParticipantRecord, limit: int) -> list[EventOut]:
    """The event log, newest first. Before the reveal, other people's tags are hidden from participants."""
    ws = repo.workshop(conn, me.workshop_id)
    assert ws is not None
    hide = not (ws.revealed or me.is_facilitator)
    return [event_out(r, hide and r.actor_id != me.id) for r in repo.events(conn, ws.id, limit, True)]


@dataclass(frozen=True)
class _Acted:
    actor_id: str | None
    kind: str


@dataclass(frozen=True)
class _Proposed:
    participant_id: str


@dataclass(frozen=True)
class _Authored:
    author_id: str


def contribution(conn: Connection, me: ParticipantRecord) -> Contribution:
    """Who has been heard: current proposals, comments and flow edits per participant and per function."""
    wid = me.workshop_id
    people = [participant(p) for p in repo.participants(conn, wid)]
    flow = transfer.load_flow(conn, wid)
    events = [_Acted(r.actor_id, r.kind) for r in repo.edit_events(conn, wid, EDIT_KINDS)]
    proposals = [_Proposed(r.participant_id) for r in repo.proposals(conn, wid)]
    comments = [_Authored(r.participant_id) for r in repo.comments(conn, wid)]
    rows = contribution_rows(people, proposals, comments, events)
    return Contribution(participants=rows, functions=function_contribution(rows, [f.id for f in flow.functions]))
