"""Facilitation rules of a live workshop: pure, no SQL, no Streamlit.

What each role may do in each phase, how far the room agrees on each step, who has
not been heard yet, how an event reads in plain words, and the size bounds the store
enforces. `redesign.store` applies these rules inside its transactions; the pages use
the same functions to decide what to show, so the two can never disagree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from redesign.model import Decision, Scenario, Tag
from redesign.writes.events import EDIT_KINDS

# --------------------------------------------------------------------------- bounds

MAX_NAME = 80
MAX_GOAL = 2_000
MAX_COMMENT = 4_000
MAX_RATIONALE = 2_000
MAX_WORKSHOP_STEPS = 5_000  # issue 13: a 5,000-step flow must export from the app
MAX_PARTICIPANTS = 500
MAX_TIMER_SECONDS = 24 * 3600

AGREEMENT_THRESHOLD = 0.6
"""Below this share for the leading tag a step counts as disputed."""


def name_problem(value: str, what: str) -> str | None:
    """Why `value` is not acceptable as a name (of a workshop, a person), or None."""
    text = value.strip()
    if not text:
        return f"The {what} must not be empty."
    if len(text) > MAX_NAME:
        return f"The {what} is {len(text)} characters long; the limit is {MAX_NAME}."
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return f"The {what} must be a single line of text (no tabs, line breaks or control characters)."
    return None


def text_problem(value: str, what: str, limit: int) -> str | None:
    """Why a free text is not acceptable, or None. Text is kept as typed, never as HTML."""
    if len(value) > limit:
        return f"The {what} is {len(value):,} characters long; the limit is {limit:,}."
    if "\x00" in value:
        return f"The {what} contains a NUL character; remove it and try again."
    return None


# --------------------------------------------------------------------------- phases


class Phase(StrEnum):
    """The workshop's agenda, in order."""

    MAP = "map"
    ANNOTATE = "annotate"
    VOTE = "vote"
    CONVERGE = "converge"
    IMPACT = "impact"
    EXPORT = "export"

    @property
    def title(self) -> str:  # type: ignore[override]  # str.title is shadowed on purpose
        return _PHASE_TEXT[self][0]

    def asks(self, is_facilitator: bool) -> str:
        """One line: what this phase asks of you."""
        return _PHASE_TEXT[self][2 if is_facilitator else 1]


_PHASE_TEXT: dict[Phase, tuple[str, str, str]] = {
    Phase.MAP: (
        "Map the flow",
        "Add and correct the steps your function does and the hand-offs into and out of them.",
        "Walk the flow end to end and make sure every function recognises its steps.",
    ),
    Phase.ANNOTATE: (
        "Mark data and pain points",
        "Flag where data arrives incomplete or wrong, and add risks and questions to steps.",
        "Ask each function where data quality breaks down and record the %C&A of each step.",
    ),
    Phase.VOTE: (
        "Tag & vote",
        "For each step, propose human judgment, augment or automate, and say why.",
        "Give people time to propose on their own; reveal the proposals when most have voted.",
    ),
    Phase.CONVERGE: (
        "Converge",
        "Look at the steps where functions disagree and make your case in the comments.",
        "Settle each step: tag, accountable owner, success measure, review date, IT sign-off.",
    ),
    Phase.IMPACT: (
        "See the impact",
        "Check what the settled decisions do to roles, skills, incentives and your function's numbers.",
        "Walk through the impact with the room and revisit decisions that do not hold up.",
    ),
    Phase.EXPORT: (
        "Export",
        "Read the summary and raise anything missing in a comment.",
        "Export the executive summary and the workshop record.",
    ),
}

PHASES: tuple[Phase, ...] = tuple(Phase)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Permissions(_Frozen):
    """What one viewer may do right now; pages hide what is False, the store refuses it."""

    edit_flow: bool
    propose: bool
    comment: bool
    settle: bool
    control: bool  # phase, timer, focus, lock, reveal, undo


Action = Literal["edit_flow", "propose", "comment", "settle", "control"]

# Who may do what in each phase (P = participants, F = facilitator).
#   phase     edit_flow  propose  comment  settle
#   map       P F        -        P F      -
#   annotate  P F        -        P F      -
#   vote      F          P        P F      -
#   converge  F          P        P F      F
#   impact    F          -        P F      F
#   export    -          -        P F      -
# The facilitator always has `control` and never proposes (they facilitate; their
# tag would count as a function's vote). `locked` is "pens down" for participants:
# no flow edits and no proposals; comments stay open so questions are never blocked.
_PARTICIPANT_EDIT = {Phase.MAP, Phase.ANNOTATE}
_FACILITATOR_EDIT = {Phase.MAP, Phase.ANNOTATE, Phase.VOTE, Phase.CONVERGE, Phase.IMPACT}
_PROPOSE = {Phase.VOTE, Phase.CONVERGE}
_SETTLE = {Phase.CONVERGE, Phase.IMPACT}


def permissions(phase: Phase | str, is_facilitator: bool, locked: bool) -> Permissions:
    phase = Phase(phase)
    if is_facilitator:
        return Permissions(
            edit_flow=phase in _FACILITATOR_EDIT,
            propose=False,
            comment=True,
            settle=phase in _SETTLE,
            control=True,
        )
    return Permissions(
        edit_flow=phase in _PARTICIPANT_EDIT and not locked,
        propose=phase in _PROPOSE and not locked,
        comment=True,
        settle=False,
        control=False,
    )


def _phase_list(phases: Iterable[Phase]) -> str:
    titles = [f'"{p.title}"' for p in PHASES if p in set(phases)]
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " or " + titles[-1]


def refusal(action: Action, phase: Phase | str, is_facilitator: bool, locked: bool) -> str | None:
    """Why this viewer may not do `action` now (a sentence a page can show), or None."""
    phase = Phase(phase)
    if getattr(permissions(phase, is_facilitator, locked), action):
        return None
    now = f'the workshop is in "{phase.title}"'
    if action in ("settle", "control"):
        if not is_facilitator:
            return "Only the facilitator can do that."
        return f"Steps are settled in {_phase_list(_SETTLE)}; {now}."
    if action == "propose":
        if is_facilitator:
            return "The facilitator does not propose tags; participants do, and the facilitator settles."
        if locked and phase in _PROPOSE:
            return "The facilitator has paused the workshop (pens down); proposals reopen when it is unlocked."
        return f"Tags are proposed in {_phase_list(_PROPOSE)}; {now}."
    if action == "edit_flow":
        if locked and not is_facilitator and phase in _PARTICIPANT_EDIT:
            return "The facilitator has locked editing; changes reopen when it is unlocked."
        allowed = _FACILITATOR_EDIT if is_facilitator else _PARTICIPANT_EDIT
        if not is_facilitator:
            return f"Participants edit the flow in {_phase_list(allowed)}; {now}. Add a comment instead."
        return f"The flow is frozen in {_phase_list(set(PHASES) - allowed)}; {now}."
    return f"Comments are closed; {now}."  # unreachable with today's table; kept for safety


# --------------------------------------------------------------------------- people and their input


class Participant(_Frozen):
    """Someone at the table (the facilitator too). Never carries the secret token."""

    id: str
    workshop_id: str
    name: str
    function: str  # a function id of the flow; "" for the facilitator
    is_facilitator: bool
    joined_at: datetime


class ProposalOut(_Frozen):
    """One participant's current tag proposal for one step."""

    participant_id: str
    participant_name: str
    function: str
    step_id: str
    tag: Tag
    rationale: str
    at: datetime


CommentKind = Literal["comment", "data_quality", "risk", "question"]
TargetKind = Literal["step", "handoff"]


class CommentOut(_Frozen):
    id: int
    author_id: str
    author_name: str
    author_function: str
    target_kind: TargetKind
    target_id: str
    kind: CommentKind
    text: str  # plain text as typed: render it as text, never as HTML or Markdown
    resolved: bool
    at: datetime
    orphaned: bool = False  # its step or hand-off has been deleted (kept so nothing said is lost)


class EventSummary(_Frozen):
    """A change someone else made, as shown in a stale-edit message."""

    version: int
    at: datetime
    actor_name: str
    actor_function: str
    kind: str
    target: str
    summary: str


class EventOut(_Frozen):
    """One entry of the append-only event log (who, when, what, before, after)."""

    seq: int  # 1, 2, ... within the workshop
    version: int  # the workshop version this event produced (one write may log several events)
    at: datetime
    actor_id: str | None
    actor_name: str
    actor_function: str
    kind: str
    target: str
    summary: str
    before: Any = None
    after: Any = None


# --------------------------------------------------------------------------- how people are named


def actor_label(name: str, function_name: str) -> str:
    return f"{name} ({function_name or 'facilitator'})"


# --------------------------------------------------------------------------- consensus


class StepConsensus(_Frozen):
    step_id: str
    votes: dict[Tag, int]
    leading_tag: Tag | None  # None: nobody has proposed yet
    agreement: float  # share of the votes for the leading tag, 0..1
    by_function: dict[str, Tag]  # the tag each function leans to
    disagreement: bool  # functions lean to different tags, or agreement < AGREEMENT_THRESHOLD


class _Vote(Protocol):
    @property
    def participant_id(self) -> str: ...
    @property
    def function(self) -> str: ...
    @property
    def step_id(self) -> str: ...
    @property
    def tag(self) -> Tag: ...


_CAUTION: dict[Tag, int] = {Tag.HUMAN: 0, Tag.AUGMENT: 1, Tag.AUTOMATE: 2}


def _leading(votes: Mapping[Tag, int]) -> Tag | None:
    """The most-voted tag; a tie keeps the person in (human before augment before automate)."""
    if not votes:
        return None
    return min(votes, key=lambda tag: (-votes[tag], _CAUTION[tag]))


def consensus(
    proposals: Iterable[_Vote],
    participants: Iterable[Participant] = (),
    steps: Sequence[str] | None = None,
) -> list[StepConsensus]:
    """Agreement per step, overall and by function.

    A participant's function comes from `participants` when listed (so a stale copy
    of a proposal cannot move a vote between functions), else from the proposal.
    Steps come in the order of `steps` when given (steps nobody voted on included),
    else in order of first proposal.
    """
    function_of = {p.id: p.function for p in participants}
    tags: dict[str, Counter[Tag]] = defaultdict(Counter)
    by_function: dict[str, dict[str, Counter[Tag]]] = defaultdict(lambda: defaultdict(Counter))
    order: list[str] = list(steps) if steps is not None else []
    for proposal in proposals:
        if steps is None and proposal.step_id not in tags:
            order.append(proposal.step_id)
        tag = Tag(proposal.tag)
        tags[proposal.step_id][tag] += 1
        function = function_of.get(proposal.participant_id, proposal.function)
        by_function[proposal.step_id][function][tag] += 1
    result: list[StepConsensus] = []
    for step_id in order:
        votes = dict(tags.get(step_id, Counter()))
        leading = _leading(votes)
        total = sum(votes.values())
        agreement = votes[leading] / total if leading is not None else 0.0
        leanings = {
            function: lead
            for function, counter in sorted(by_function.get(step_id, {}).items())
            if (lead := _leading(counter)) is not None
        }
        split = len(set(leanings.values())) > 1
        result.append(
            StepConsensus(
                step_id=step_id,
                votes={t: votes[t] for t in Tag if t in votes},
                leading_tag=leading,
                agreement=agreement,
                by_function=leanings,
                disagreement=total > 0 and (split or agreement < AGREEMENT_THRESHOLD),
            )
        )
    return result


# --------------------------------------------------------------------------- contribution


class ContributionRow(_Frozen):
    participant_id: str
    name: str
    function: str
    proposals: int
    comments: int
    edits: int
    silent: bool  # nothing proposed, said or edited yet


class FunctionContribution(_Frozen):
    function: str
    participants: int
    proposals: int
    comments: int
    edits: int
    silent: bool  # nobody of this function has contributed (or nobody is here)


class _Authored(Protocol):
    @property
    def author_id(self) -> str: ...


class _Acted(Protocol):
    @property
    def actor_id(self) -> str | None: ...
    @property
    def kind(self) -> str: ...


class _Proposed(Protocol):
    @property
    def participant_id(self) -> str: ...


def contribution(
    participants: Iterable[Participant],
    proposals: Iterable[_Proposed],
    comments: Iterable[_Authored],
    events: Iterable[_Acted],
) -> list[ContributionRow]:
    """Per participant (facilitators left out): current proposals, comments and flow edits.

    Pass every proposal (not the reveal-filtered view) and every event, or the
    counts will understate people.
    """
    n_proposals = Counter(p.participant_id for p in proposals)
    n_comments = Counter(c.author_id for c in comments)
    n_edits = Counter(e.actor_id for e in events if e.kind in EDIT_KINDS and e.actor_id)
    rows = []
    for person in participants:
        if person.is_facilitator:
            continue
        counts = (n_proposals[person.id], n_comments[person.id], n_edits[person.id])
        rows.append(
            ContributionRow(
                participant_id=person.id,
                name=person.name,
                function=person.function,
                proposals=counts[0],
                comments=counts[1],
                edits=counts[2],
                silent=sum(counts) == 0,
            )
        )
    return rows


def function_contribution(rows: Iterable[ContributionRow], functions: Sequence[str] = ()) -> list[FunctionContribution]:
    """Totals per function; functions listed in `functions` appear even when nobody of them came."""
    totals: dict[str, list[int]] = {f: [0, 0, 0, 0] for f in functions}
    for row in rows:
        t = totals.setdefault(row.function, [0, 0, 0, 0])
        t[0] += 1
        t[1] += row.proposals
        t[2] += row.comments
        t[3] += row.edits
    return [
        FunctionContribution(
            function=f, participants=t[0], proposals=t[1], comments=t[2], edits=t[3], silent=sum(t[1:]) == 0
        )
        for f, t in totals.items()
    ]


# --------------------------------------------------------------------------- settled decisions


class _HasDecisions(Protocol):
    @property
    def decisions(self) -> Sequence[Decision]: ...


SETTLED_SCENARIO_ID = "workshop_decisions"


def settled_scenario(state: _HasDecisions) -> Scenario:
    """The decisions settled in the workshop as a Scenario the impact engine can assess."""
    return Scenario(
        id=SETTLED_SCENARIO_ID,
        name="Workshop decisions",
        description="The decisions the facilitator settled with the room.",
        decisions=list(state.decisions),
    )
