"""A whole workshop as one JSON document, and back (export, import, backup, restore).

The document (`schemas.WorkshopExport`, "crossflow_workshop_version": 1) holds the
workshop's settings, its flow in the native file format, the seats (never tokens),
proposals, comments, settled decisions and the full event log. Participant ids,
comment numbers and event numbers are per workshop, so they survive a round trip
unchanged; only the workshop id, join code and `exported_at` are new.
A backup adds a `secrets` section with the join code and the *hashes* of the
facilitator key and of the tokens, so a restored workshop keeps working links.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Connection

from redesign.io.flow_json import flow_to_dict
from redesign.model import Decision, Flow, Tag
from redesign.store import repository as repo
from redesign.store.errors import InvalidInput, LimitExceeded, NotFound, refused
from redesign.store.schemas import (
    ExportedComment,
    ExportedDecision,
    ExportedEvent,
    ExportedParticipant,
    ExportedProposal,
    ExportedSecrets,
    ExportedWorkshop,
    WorkshopExport,
)
from redesign.validation import FlowInvalid, parse_flow, pydantic_problems
from redesign.workshop import (
    MAX_COMMENT,
    MAX_GOAL,
    MAX_PARTICIPANTS,
    MAX_RATIONALE,
    Phase,
    name_problem,
    text_problem,
)
from redesign.writes import parts
from redesign.writes.refusals import flow_problems as flow_problems  # the checks, still importable from here
from redesign.writes.refusals import invalid_flow, too_many_steps
from redesign.writes.refusals import item_problems as item_problems

EXPORT_VERSION = 1


# --------------------------------------------------------------------------- flow checks shared with the service


def raise_if_invalid(flow: Flow, decisions: Sequence[Decision] = (), what: str = "This change") -> None:
    refusal = invalid_flow(flow, decisions, what)
    if refusal is not None:
        raise refused(refusal)


def check_steps(n: int) -> None:
    refusal = too_many_steps(n)
    if refusal is not None:
        raise refused(refusal)


def load_flow(conn: Connection, workshop_id: str) -> Flow:
    rows = repo.flow_items(conn, workshop_id)
    return parts.assemble((r.kind, r.item_id, r.position, repo.loads(r.body)) for r in rows)


# --------------------------------------------------------------------------- export


def export_document(conn: Connection, workshop_id: str, *, exported_at: datetime, with_secrets: bool) -> dict[str, Any]:
    ws = repo.workshop(conn, workshop_id)
    if ws is None:
        raise NotFound("This workshop no longer exists.")
    seats = repo.participants(conn, workshop_id)
    doc = WorkshopExport(
        crossflow_workshop_version=EXPORT_VERSION,
        exported_at=exported_at,
        workshop=ExportedWorkshop(
            id=ws.id,
            name=ws.name,
            goal=ws.goal,
            phase=Phase(ws.phase),
            locked=ws.locked,
            revealed=ws.revealed,
            focus_step=ws.focus_step,
            timer_ends_at=ws.timer_ends_at,
            version=ws.version,
            created_at=ws.created_at,
        ),
        flow=flow_to_dict(load_flow(conn, workshop_id)),
        participants=[
            ExportedParticipant(
                id=p.id, name=p.name, function=p.function, is_facilitator=p.is_facilitator, joined_at=p.joined_at
            )
            for p in seats
        ],
        proposals=[
            ExportedProposal(
                participant_id=r.participant_id, step_id=r.step_id, tag=Tag(r.tag), rationale=r.rationale, at=r.at
            )
            for r in sorted(repo.proposals(conn, workshop_id), key=lambda r: (r.step_id, r.participant_id))
        ],
        comments=[
            ExportedComment(
                id=r.id,
                author_id=r.participant_id,
                target_kind=r.target_kind,
                target_id=r.target_id,
                kind=r.kind,
                text=r.text,
                resolved=r.resolved,
                at=r.at,
            )
            for r in repo.comments(conn, workshop_id)
        ],
        decisions=[
            ExportedDecision(decision=repo.loads(r.body), settled_by=r.settled_by, at=r.at)
            for r in sorted(repo.decisions(conn, workshop_id), key=lambda r: r.step_id)
        ],
        events=[
            ExportedEvent(
                seq=e.seq,
                version=e.version,
                at=e.at,
                actor_id=e.actor_id,
                actor_name=e.actor_name,
                actor_function=e.actor_function,
                kind=e.kind,
                target=e.target,
                summary=e.summary,
                before=e.before,
                after=e.after,
                position=e.position,
                undoes=e.undoes,
                layout=None if e.layout is None else dict(e.layout),
            )
            for e in repo.events(conn, workshop_id)
        ],
        secrets=ExportedSecrets(
            join_code=ws.join_code,
            facilitator_key_hash=ws.facilitator_key_hash,
            token_hashes={p.id: p.token_hash for p in seats if p.token_hash},
        )
        if with_secrets
        else None,
    )
    return doc.model_dump(mode="json", exclude_none=False, exclude={"secrets"} if not with_secrets else set())


# --------------------------------------------------------------------------- import


def parse_export(doc: Any) -> tuple[WorkshopExport, Flow]:
    """Validate an export document completely; InvalidInput names the first problems."""
    if not isinstance(doc, Mapping) or "crossflow_workshop_version" not in doc:
        raise InvalidInput('This is not a Crossflow workshop export (it has no "crossflow_workshop_version").')
    version = doc.get("crossflow_workshop_version")
    if version != EXPORT_VERSION:
        raise InvalidInput(
            f"This workshop export has format version {version!r}; this Crossflow reads version {EXPORT_VERSION}."
        )
    try:
        parsed = WorkshopExport.model_validate(dict(doc))
    except ValidationError as exc:
        problems = pydantic_problems(exc)
        listed = "; ".join(str(p) for p in problems[:5])
        raise InvalidInput(f"This workshop export has problems: {listed}.", problems) from exc
    try:
        flow = parse_flow(parsed.flow)
    except FlowInvalid as exc:
        raise InvalidInput(f"The workshop's flow has problems: {exc}", exc.problems) from exc
    _check_consistency(parsed, flow)
    return parsed, flow


def _fail(problem: str | None) -> None:
    if problem:
        raise InvalidInput(problem)


def _check_consistency(doc: WorkshopExport, flow: Flow) -> None:
    check_steps(len(flow.steps))
    _fail(name_problem(doc.workshop.name, "workshop name"))
    _fail(text_problem(doc.workshop.goal, "goal", MAX_GOAL))
    seats = [p.id for p in doc.participants]
    if len(seats) > MAX_PARTICIPANTS:
        raise LimitExceeded(f"The export has {len(seats)} participants; the limit is {MAX_PARTICIPANTS}.")
    if len(set(seats)) != len(seats):
        _fail("The export lists a participant id twice.")
    if sum(p.is_facilitator for p in doc.participants) > 1:
        _fail("The export has more than one facilitator.")
    for p in doc.participants:
        _fail(name_problem(p.name, f"name of participant {p.id}"))
    known = set(seats)
    for i, prop in enumerate(doc.proposals):
        if prop.participant_id not in known:
            _fail(f'proposals[{i}] names an unknown participant "{prop.participant_id}".')
        _fail(text_problem(prop.rationale, f"rationale of proposals[{i}]", MAX_RATIONALE))
    if len({(p.step_id, p.participant_id) for p in doc.proposals}) != len(doc.proposals):
        _fail("The export has two proposals by one participant for one step.")
    for i, com in enumerate(doc.comments):
        if com.author_id not in known:
            _fail(f'comments[{i}] names an unknown author "{com.author_id}".')
        _fail(text_problem(com.text, f"text of comments[{i}]", MAX_COMMENT))
    if len({c.id for c in doc.comments}) != len(doc.comments):
        _fail("The export lists a comment id twice.")
    if len({d.decision.step for d in doc.decisions}) != len(doc.decisions):
        _fail("The export settles a step twice.")
    raise_if_invalid(flow, [d.decision for d in doc.decisions], what="The export's decisions")
    if len({e.seq for e in doc.events}) != len(doc.events):
        _fail("The export lists an event number twice.")
    if any(e.version > doc.workshop.version for e in doc.events):
        _fail("The export has events newer than its version.")
    if doc.workshop.focus_step is not None and doc.workshop.focus_step not in {s.id for s in flow.steps}:
        _fail(f'The export focuses on step "{doc.workshop.focus_step}", which its flow does not have.')


def _seat_counter(ids: list[str]) -> int:
    """Where numbering of new seats ("p<n>") continues after the imported ones."""
    numbers = [int(i[1:]) for i in ids if re.fullmatch(r"p\d+", i)]
    return max([*numbers, len(ids)])


def insert_document(
    conn: Connection,
    doc: WorkshopExport,
    flow: Flow,
    *,
    workshop_id: str,
    join_code: str,
    key_hash: str,
    facilitator_name: str | None,
    facilitator_token_hash: str | None,
    now: datetime,
) -> None:
    """Write a validated document as a workshop.

    With `facilitator_token_hash` the exported facilitator seat gets that token (and
    `facilitator_name`, if given); without it (a restore) the document's `secrets`
    token hashes are kept.
    """
    ws = doc.workshop
    facilitator = next((p for p in doc.participants if p.is_facilitator), None)
    hashes = doc.secrets.token_hashes if doc.secrets and facilitator_token_hash is None else {}
    repo.insert_workshop(
        conn,
        id=workshop_id,
        name=ws.name,
        goal=ws.goal,
        join_code=join_code,
        facilitator_key_hash=key_hash,
        phase=ws.phase.value,
        locked=ws.locked,
        revealed=ws.revealed,
        focus_step=ws.focus_step,
        timer_ends_at=ws.timer_ends_at,
        version=ws.version,
        participant_seq=_seat_counter([p.id for p in doc.participants]),
        comment_seq=max([c.id for c in doc.comments], default=0),
        event_seq=max([e.seq for e in doc.events], default=0),
        created_at=ws.created_at,
        updated_at=now,
    )
    flow_parts = parts.split(flow)
    repo.insert_items(conn, workshop_id, [(k[0], k[1], p.position, p.body) for k, p in flow_parts.items()])

    def seat(p: ExportedParticipant) -> dict[str, Any]:
        mine = p is facilitator and facilitator_token_hash is not None
        return {
            "workshop_id": workshop_id,
            **p.model_dump(),
            "name": facilitator_name if mine and facilitator_name else p.name,
            "token_hash": facilitator_token_hash if mine else hashes.get(p.id),
        }

    repo.insert_participants(conn, [seat(p) for p in doc.participants])
    repo.insert_proposals(conn, [{"workshop_id": workshop_id, **p.model_dump()} for p in doc.proposals])
    repo.insert_comments(
        conn,
        [
            {"workshop_id": workshop_id, "participant_id": c.author_id, **c.model_dump(exclude={"author_id"})}
            for c in doc.comments
        ],
    )
    for d in doc.decisions:
        repo.put_decision(conn, workshop_id, d.decision.step, d.decision.model_dump(mode="json"), d.settled_by, d.at)
    repo.insert_events(
        conn,
        [
            {
                "workshop_id": workshop_id,
                **e.model_dump(exclude={"before", "after", "layout"}),
                "before": None if e.before is None else repo.dumps(e.before),
                "after": None if e.after is None else repo.dumps(e.after),
                "layout": None if e.layout is None else repo.dumps(e.layout),
            }
            for e in doc.events
        ],
    )
