"""What the repository returns: one typed record per table row (instead of SQLAlchemy's `Row[Any]`).

Named tuples, built positionally from the row (`Record._make(row)`: cheap, and the flow rows
of a 5,000-step flow are read on every edit). Their fields are the tables' columns in
order, which tests/store/test_store_records.py checks against `tables`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from redesign.workshop import CommentKind, TargetKind


class WorkshopRecord(NamedTuple):
    id: str
    name: str
    goal: str
    join_code: str
    facilitator_key_hash: str
    phase: str
    locked: bool
    revealed: bool
    focus_step: str | None
    timer_ends_at: datetime | None
    version: int
    participant_seq: int
    comment_seq: int
    event_seq: int
    created_at: datetime
    updated_at: datetime


class FlowItemRecord(NamedTuple):
    """One part of a flow as stored (no workshop id: read per workshop). `body` is JSON text."""

    kind: str
    item_id: str
    position: int
    body: str


class ParticipantRecord(NamedTuple):
    workshop_id: str
    id: str
    name: str
    function: str
    is_facilitator: bool
    token_hash: str | None  # None: an imported seat nobody holds yet
    joined_at: datetime


class ProposalRecord(NamedTuple):
    workshop_id: str
    step_id: str
    participant_id: str
    tag: str
    rationale: str
    at: datetime


class CommentRecord(NamedTuple):
    workshop_id: str
    id: int
    participant_id: str
    target_kind: TargetKind
    target_id: str
    kind: CommentKind
    text: str
    resolved: bool
    at: datetime


class DecisionRecord(NamedTuple):
    workshop_id: str
    step_id: str
    body: str  # JSON of the Decision
    settled_by: str | None
    at: datetime


class ArchivedRecord(NamedTuple):
    id: int
    workshop_id: str
    name: str
    archived_at: datetime
    export: str  # JSON of the final export


class EditRecord(NamedTuple):
    """Who logged an event of which kind (enough to count who edited the flow)."""

    actor_id: str | None
    kind: str


@dataclass(frozen=True)
class Seat:
    """The caller of a write, as read together with their locked workshop's row."""

    id: str
    workshop_id: str
    name: str
    function: str
    is_facilitator: bool
