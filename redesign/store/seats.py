"""Seats at a workshop: creating one (with its facilitator), joining, reclaiming the facilitator's seat.

Each function runs inside the caller's write transaction; the service wraps them in
the rate limiter (wrong codes and keys are guesses, counted per client and workshop).
"""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from redesign import names
from redesign.io.flow_json import flow_to_dict
from redesign.model import Flow
from redesign.store import codes, transfer
from redesign.store import repository as repo
from redesign.store.errors import AccessDenied, InvalidInput, LimitExceeded, StoreUnavailable, WrongCode, WrongKey
from redesign.store.records import ParticipantRecord, WorkshopRecord
from redesign.store.schemas import CreatedWorkshop, ExportedWorkshop, Joined, JoinPreview, WorkshopExport
from redesign.store.unit_of_work import Write
from redesign.workshop import MAX_PARTICIPANTS
from redesign.writes.events import EventKind


def workshop_for_code(conn: Connection, join_code: Any) -> WorkshopRecord:
    """The workshop with this join code, or WrongCode (a guess the rate limiter counts)."""
    code = codes.normalize_code(join_code) if isinstance(join_code, str) else None
    row = repo.workshop_by_code(conn, code) if code else None
    if row is None:
        shown = str(join_code)[:40] if isinstance(join_code, str) else ""
        raise WrongCode(f'No workshop has the code "{shown}". Check the code with your facilitator.')
    return row


def free_code(conn: Connection) -> str:
    for _ in range(20):
        code = codes.new_join_code()
        if repo.workshop_by_code(conn, code) is None:
            return code
    raise StoreUnavailable("Could not find a free join code; please try again.")  # 2^49 codes: never happens


def new_participant(
    conn: Connection,
    wid: str,
    name: str,
    function: str,
    is_facilitator: bool,
    token_hash: str | None,
    at: datetime,
    number: int | None = None,
) -> str:
    if number is None:
        number = repo.take_numbers(conn, wid, "participant_seq", 1)
    seat_id = f"p{number}"
    seat = {"workshop_id": wid, "id": seat_id, "name": name, "function": function}
    repo.insert_participants(
        conn, [{**seat, "is_facilitator": is_facilitator, "token_hash": token_hash, "joined_at": at}]
    )
    return seat_id


def new_document(name: str, goal: str, flow: Flow, created_at: datetime) -> WorkshopExport:
    """A new workshop's document (no one seated yet), as `create` inserts it."""
    return WorkshopExport(
        crossflow_workshop_version=transfer.EXPORT_VERSION,
        workshop=ExportedWorkshop(id="new", name=name, goal=goal, version=0, created_at=created_at),
        flow=flow_to_dict(flow),
        participants=[],
    )


def create(
    conn: Connection,
    doc: WorkshopExport,
    flow: Flow,
    facilitator_name: str,
    first_event: EventKind | None,
    now: datetime,
) -> CreatedWorkshop:
    """Insert a validated document as a new workshop (new id, code, key and facilitator token)."""
    key = codes.new_facilitator_key()
    token = codes.new_token()
    wid = uuid.uuid4().hex
    code = free_code(conn)
    transfer.insert_document(
        conn,
        doc,
        flow,
        workshop_id=wid,
        join_code=code,
        key_hash=codes.key_digest(key),
        facilitator_name=facilitator_name,
        facilitator_token_hash=codes.digest(token),
        now=now,
    )
    if not any(p.is_facilitator for p in doc.participants):
        new_participant(conn, wid, facilitator_name, "", True, codes.digest(token), now)
    if first_event is not None:
        me = repo.participant_by_token(conn, codes.digest(token))
        ws = repo.workshop(conn, wid)
        assert ws is not None  # inserted just above, in this transaction
        w = Write(conn, ws, me, now)
        w.log(first_event, "workshop", None, {"name": doc.workshop.name})
        w.flush()
    return CreatedWorkshop(workshop_id=wid, join_code=code, facilitator_key=key, facilitator_token=token)


def function_id(flow: Flow, function: Any) -> str:
    wanted = function.strip().casefold() if isinstance(function, str) else ""
    for f in flow.functions:
        if wanted in (f.id.casefold(), f.name.casefold()):
            return f.id
    listed = ", ".join(f.name for f in flow.functions) or "none defined yet"
    raise InvalidInput(
        f'"{function}" is not one of this workshop\'s functions. Choose one of: {listed}. '
        "The facilitator can add a function to the flow first."
    )


def join(conn: Connection, join_code: str, name: str, function: str, now: datetime) -> Joined:
    """Take a seat (or claim an imported one nobody holds yet, by the same name and function)."""
    found = workshop_for_code(conn, join_code)
    ws = repo.lock_workshop(conn, found.id)
    assert ws is not None
    w = Write(conn, ws, None, now)
    fid = function_id(w.flow(), function)
    seats = repo.participants(conn, ws.id)
    token = codes.new_token()
    same = [s for s in seats if s.name.casefold() == name.casefold()]
    lookalike = names.confusable_with(name, [s.name for s in seats])
    if same and same[0].token_hash is None and same[0].function == fid and not same[0].is_facilitator:
        seat_id = same[0].id  # an imported seat nobody holds yet: claim it
        repo.update_participant(conn, ws.id, seat_id, token_hash=codes.digest(token))
    elif same:
        raise InvalidInput(
            f'Someone called "{same[0].name}" has already joined this workshop. If that was you in another '
            f'browser, use the link from there; otherwise add an initial, e.g. "{name} B."'
        )
    elif lookalike is not None:
        raise InvalidInput(
            f'The name "{name}" looks the same as "{lookalike}", who is already in this workshop (it differs '
            "only in look-alike characters, such as 1 and l, or a letter from another alphabet), so the room "
            f'could not tell you apart. Choose a name that looks different, e.g. "{name} B."'
        )
    else:
        if len(seats) >= MAX_PARTICIPANTS:
            raise LimitExceeded(f"This workshop is full: it has {MAX_PARTICIPANTS} participants.")
        number = w.take("participant_seq")
        seat_id = new_participant(conn, ws.id, name, fid, False, codes.digest(token), now, number=number)
    w.me = repo.participant_by_token(conn, codes.digest(token))
    w.log(EventKind.PARTICIPANT_JOIN, f"participant:{seat_id}", None, {"name": name, "function": fid})
    w.flush()
    return Joined(workshop_id=ws.id, participant_id=seat_id, token=token)


def reclaim(conn: Connection, join_code: str, facilitator_key: Any, now: datetime) -> Joined:
    """A new facilitator token; the old one stops working."""
    found = workshop_for_code(conn, join_code)
    key = facilitator_key if isinstance(facilitator_key, str) else ""
    if not hmac.compare_digest(codes.key_digest(key), found.facilitator_key_hash):
        raise WrongKey("That facilitator key does not match this workshop.", found.id)
    ws = repo.lock_workshop(conn, found.id)
    assert ws is not None
    seat = next(s for s in repo.participants(conn, ws.id) if s.is_facilitator)
    token = codes.new_token()
    repo.update_participant(conn, ws.id, seat.id, token_hash=codes.digest(token))
    w = Write(conn, ws, seat, now)
    w.log(EventKind.FACILITATOR_RECLAIM, f"participant:{seat.id}")
    w.flush()
    return Joined(workshop_id=ws.id, participant_id=seat.id, token=token)


def preview(conn: Connection, join_code: str) -> JoinPreview:
    found = workshop_for_code(conn, join_code)
    flow = transfer.load_flow(conn, found.id)
    used = {s.function for s in flow.steps}
    functions = [(f.id, f.name) for f in flow.functions if f.id in used or not used]
    functions += [(f.id, f.name) for f in flow.functions if (f.id, f.name) not in functions]
    return JoinPreview(name=found.name, goal=found.goal, functions=functions)


def delete(conn: Connection, me: ParticipantRecord, facilitator_key: Any, now: datetime) -> dict[str, Any]:
    """Delete the caller's workshop (facilitator, with the key); returns its final export, kept in the archive."""
    ws = repo.workshop(conn, me.workshop_id)
    assert ws is not None
    if not me.is_facilitator:
        raise AccessDenied("Only the facilitator can delete a workshop.")
    key = facilitator_key if isinstance(facilitator_key, str) else ""
    if not hmac.compare_digest(codes.key_digest(key), ws.facilitator_key_hash):
        raise WrongKey("That facilitator key does not match this workshop.", ws.id)
    export = transfer.export_document(conn, ws.id, exported_at=now, with_secrets=False)
    repo.archive(conn, ws.id, ws.name, now, export)
    repo.delete_workshop(conn, ws.id)
    return export
