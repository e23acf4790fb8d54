"""Pydantic models at the store's boundary: what the service takes and returns.

The pure domain ones (Participant, ProposalOut, CommentOut, EventOut, ...) live in
`redesign.workshop` and are re-exported here, so pages can import everything they
get from the service from one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from redesign.model import Decision, Flow, Tag
from redesign.workshop import (
    CommentKind,
    CommentOut,
    ContributionRow,
    EventOut,
    EventSummary,
    FunctionContribution,
    Participant,
    Permissions,
    Phase,
    ProposalOut,
    TargetKind,
)
from redesign.writes.events import EventKind

__all__ = [
    "CommentKind",
    "CommentOut",
    "Contribution",
    "ContributionRow",
    "CreatedWorkshop",
    "EventOut",
    "EventSummary",
    "FunctionContribution",
    "JoinPreview",
    "Joined",
    "Participant",
    "Permissions",
    "Phase",
    "ProposalOut",
    "SampleInfo",
    "TargetKind",
    "WorkshopState",
]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CreatedWorkshop(_Out):
    workshop_id: str
    join_code: str  # "K7F3-QX9M-2R"; share it with participants
    facilitator_key: str  # shown once: lets the facilitator reclaim the seat from another browser
    facilitator_token: str  # the facilitator's session secret; keep it out of URLs people share


class Joined(_Out):
    workshop_id: str
    participant_id: str
    token: str


class JoinPreview(_Out):
    """The workshop behind a join code, as shown before joining (no people, no content)."""

    name: str
    goal: str
    functions: list[tuple[str, str]]  # (id, name): the lanes of the flow, the ones with steps first


class SampleInfo(_Out):
    id: str
    name: str
    description: str
    steps: int
    functions: list[str]  # function names, in lane order


class WorkshopState(_Out):
    """Everything a page needs, already filtered for the viewer `me`."""

    workshop_id: str
    name: str
    goal: str
    join_code: str
    version: int
    phase: Phase
    locked: bool
    revealed: bool
    focus_step: str | None
    timer_ends_at: datetime | None  # UTC
    flow: Flow
    participants: list[Participant]
    proposals: list[ProposalOut]  # before reveal a participant sees only their own; the facilitator sees all
    proposal_counts: dict[str, dict[Tag, int]]  # step id -> tag -> count (everyone sees counts)
    comments: list[CommentOut]
    decisions: list[Decision]  # settled, in step order
    me: Participant
    can: Permissions


class Contribution(_Out):
    """Who has been heard: per participant (facilitators left out) and per function of the flow."""

    participants: list[ContributionRow]
    functions: list[FunctionContribution]


# --------------------------------------------------------------------------- the export document


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExportedWorkshop(_Doc):
    id: str
    name: str
    goal: str = ""
    phase: Phase = Phase.MAP
    locked: bool = False
    revealed: bool = False
    focus_step: str | None = None
    timer_ends_at: datetime | None = None
    version: int = Field(default=0, ge=0)
    created_at: datetime


class ExportedParticipant(_Doc):
    id: str = Field(min_length=1, max_length=40)
    name: str
    function: str = Field(max_length=100)
    is_facilitator: bool = False
    joined_at: datetime


class ExportedProposal(_Doc):
    participant_id: str
    step_id: str
    tag: Tag
    rationale: str = ""
    at: datetime


class ExportedComment(_Doc):
    id: int = Field(ge=1)
    author_id: str
    target_kind: TargetKind
    target_id: str
    kind: CommentKind = "comment"
    text: str
    resolved: bool = False
    at: datetime


class ExportedDecision(_Doc):
    decision: Decision
    settled_by: str | None = None
    at: datetime


class ExportedEvent(_Doc):
    seq: int = Field(ge=1)
    version: int = Field(ge=0)
    at: datetime
    actor_id: str | None = None
    actor_name: str
    actor_function: str = ""
    kind: EventKind
    target: str
    summary: str = ""
    before: Any = None
    after: Any = None
    position: int | None = None
    undoes: int | None = None
    layout: dict[str, int] | None = None


class ExportedSecrets(_Doc):
    """Only in backups: the join code and the *hashes* of the key and tokens, never the secrets."""

    join_code: str
    facilitator_key_hash: str
    token_hashes: dict[str, str]  # participant id -> sha256


class WorkshopExport(_Doc):
    crossflow_workshop_version: int
    exported_at: datetime | None = None
    workshop: ExportedWorkshop
    flow: dict[str, Any]  # the flow in its native file format (redesign.io.flow_json)
    participants: list[ExportedParticipant]
    proposals: list[ExportedProposal] = Field(default_factory=list)
    comments: list[ExportedComment] = Field(default_factory=list)
    decisions: list[ExportedDecision] = Field(default_factory=list)
    events: list[ExportedEvent] = Field(default_factory=list)
    secrets: ExportedSecrets | None = None
