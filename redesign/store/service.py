"""`WorkshopService`: the API the Streamlit pages call for live, multi-user workshops.

Every call takes the caller's secret token (except creating, joining and reading the
version number); the token decides the workshop, so one workshop's participant can
never name another's data. Every write is one short transaction that

1. finds the caller by the SHA-256 of their token and locks their workshop's row in
   the same query (on PostgreSQL that row lock queues the writers of one workshop
   across processes and replicas; on SQLite `BEGIN IMMEDIATE` already holds the
   database's write lock),
2. checks the facilitation rules of `redesign.workshop` against the *locked* row,
3. for flow edits, refuses the edit (StaleEdit) if an entity it touches was changed
   by someone else after the version the caller saw,
4. writes the change, appends to the event log (who, when, kind, target, before,
   after as JSON) and bumps `workshops.version`, all in the same transaction.

A refused write rolls back and a no-op logs nothing, so the version moves exactly
when something was saved.
Proposals and comments never take part in stale checks: many people can write
them at once and each lands. They are what fifty people write at the same moment,
so concurrent ones share one transaction and one commit (`group_commit`,
`contributions`) while each keeps its own version, event and outcome.
Deadlocks and serialization failures (PostgreSQL) and "database is locked" (SQLite,
another process holding the lock past the busy timeout) are retried a few times
before StoreUnavailable reaches the caller.
"""

from __future__ import annotations

import hmac
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Connection, Row

from redesign import names
from redesign.io.flow_json import flow_to_dict, read_flow
from redesign.model import Decision, Flow, Handoff, Step, Tag
from redesign.samples import SAMPLES_DIR
from redesign.store import announce, codes, contributions, flow_rows, rate_limit, transfer
from redesign.store import repository as repo
from redesign.store.contributions import BAD_TOKEN as _BAD_TOKEN
from redesign.store.database import is_sqlite, make_engine, read_transaction, resolve_database_url, write_transaction
from redesign.store.errors import (
    AccessDenied,
    InvalidInput,
    LimitExceeded,
    NotFound,
    StaleEdit,
    StoreError,
    StoreUnavailable,
    WrongCode,
    WrongKey,
    missing_item,
)
from redesign.store.flow_cache import FlowCache, RowsKey
from redesign.store.group_commit import BatchStats, GroupCommit, Job
from redesign.store.migrate import upgrade
from redesign.store.rate_limit import Client
from redesign.store.schemas import (
    CommentOut,
    Contribution,
    CreatedWorkshop,
    EventOut,
    EventSummary,
    Joined,
    JoinPreview,
    Participant,
    Phase,
    ProposalOut,
    SampleInfo,
    WorkshopExport,
    WorkshopState,
)
from redesign.store.tables import utcnow
from redesign.validation import FlowInvalid, pydantic_problems
from redesign.workshop import (
    EDIT_KINDS,
    MAX_COMMENT,
    MAX_GOAL,
    MAX_PARTICIPANTS,
    MAX_RATIONALE,
    MAX_TIMER_SECONDS,
    UNDOABLE_KINDS,
    Action,
    CommentKind,
    TargetKind,
    contribution,
    describe_event,
    function_contribution,
    name_problem,
    permissions,
    refusal,
    stale_message,
    text_problem,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

WRITE_ATTEMPTS = 5
_SAMPLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,99}$")
_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected
_COMMENT_KINDS = ("comment", "data_quality", "risk", "question")


def _retryable(exc: sa.exc.DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in _RETRY_SQLSTATES:
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


def _reject(problem: str | None, exc: type[StoreError] = InvalidInput) -> None:
    if problem:
        raise exc(problem)


def _name(value: Any, what: str) -> str:
    """A checked, normalised name (see `redesign.names`), or InvalidInput saying what is wrong with it."""
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text.")
    _reject(name_problem(value, what))  # before normalising: a person's name is one line, as typed
    value = names.normalise(value)
    _reject(names.hidden_problem(value, what))
    return value


M = TypeVar("M", bound=BaseModel)


def _checked(model: type[M], value: Any, what: str) -> M:
    """`value` validated again as `model`: an object built without validation (`model_construct`,
    or edited after it was made) could otherwise carry NaN, infinity or a bad name into the store."""
    if not isinstance(value, model):
        raise InvalidInput(f"Expected a {model.__name__}.")
    try:
        return model.model_validate(value.model_dump())
    except ValidationError as exc:
        problems = pydantic_problems(exc)
        listed = "; ".join(f"{p.location}: {p.message}" if p.location else p.message for p in problems[:5])
        raise InvalidInput(f"The {what} is not valid: {listed}.", problems) from None


def _text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text.")
    _reject(text_problem(value, what, limit))
    return value


def _participant(row: Row[Any]) -> Participant:
    return Participant(
        id=row.id,
        workshop_id=row.workshop_id,
        name=row.name,
        function=row.function,
        is_facilitator=row.is_facilitator,
        joined_at=row.joined_at,
    )


@dataclass
class _Write:
    """One write transaction on behalf of one participant (or of nobody, for create/import).

    The workshop row is locked first; the version moves (to `version`) only if the
    write logged an event, so a no-op save does not make every page reload.
    """

    conn: Connection
    workshop: Row[Any]  # as locked, before this write
    me: Any  # the caller's seat (a participants row or a _Seat); None for create/import
    now: datetime
    events: list[dict[str, Any]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)  # per-workshop counters this write advanced
    layouts: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> positions before rows moved
    flows: FlowCache | None = None  # the service's parsed flows (None: parse every time)
    _flow: Flow | None = None
    _flow_key: RowsKey | None = None  # the rows `_flow` was parsed from (when it came from `flows`)

    @property
    def wid(self) -> str:
        return str(self.workshop.id)

    @property
    def version(self) -> int:
        """The version this write produces (if it changes anything)."""
        return int(self.workshop.version) + 1

    @property
    def result_version(self) -> int:
        return self.version if self.events else int(self.workshop.version)

    def take(self, counter: str) -> int:
        """The next number of a per-workshop counter (participant_seq, comment_seq): the row is locked,
        so its value cannot move under us; `flush` stores the new value."""
        value = self.counters.get(counter, int(getattr(self.workshop, counter))) + 1
        self.counters[counter] = value
        return value

    def keep_layout(self, kind: str) -> None:
        """Remember where the rows of `kind` stand before this write moves them (undo restores it exactly)."""
        if kind not in self.layouts:
            self.layouts[kind] = repo.positions(self.conn, self.wid, kind)

    def flow(self) -> Flow:
        if self._flow is None:
            if self.flows is None:
                self._flow = transfer.load_flow(self.conn, self.wid)
            else:
                self._flow, self._flow_key = self.flows.load(self.conn, self.wid)
        return self._flow

    def item(self, kind: str, item_id: str) -> tuple[int, Any] | None:
        """(position, body) of one flow item as committed. Before this write changes anything, taken from the
        rows `flow()` was read from (a round trip less per step edit); else read again."""
        self.flow()
        if self._flow_key is not None and not self.events:
            found = next(((p, b) for k, i, p, b in self._flow_key[1] if k == kind and i == item_id), None)
            return None if found is None else (found[0], repo.loads(found[1]))
        return repo.flow_item(self.conn, self.wid, kind, item_id)

    def forget_flow(self) -> None:
        self._flow = None
        self._flow_key = None

    def updated_item(self, kind: str, item_id: str, body: Any, flow: Flow) -> None:
        """One item's body was replaced, making `flow` (checked): keep it for this write and the next."""
        if self.flows is None or self._flow_key is None:
            self.forget_flow()
            return
        self._flow_key = self.flows.put_after_update(self._flow_key, kind, item_id, body, flow)
        self._flow = flow

    def log(
        self,
        kind: str,
        target: str,
        before: Any = None,
        after: Any = None,
        *,
        position: int | None = None,
        undoes: int | None = None,
        summary: str | None = None,
    ) -> None:
        event = repo.event_row(self.wid, self.version, self.now, self.me, kind, target, before, after, summary)
        self.events.append({**event, "position": position, "undoes": undoes})

    def flush(self) -> int:
        """Bump the version and append the events (if any); returns the resulting version."""
        for kind, layout in self.layouts.items():  # carried by the write's first event on that kind
            carrier = next((e for e in self.events if e["kind"].startswith(f"{kind}.")), None)
            if carrier is not None:
                carrier["layout"] = repo.dumps(layout)
        if self.events:
            first = int(self.workshop.event_seq) + 1
            for offset, event in enumerate(self.events):
                event["seq"] = first + offset
            self.counters["event_seq"] = first + len(self.events) - 1
            repo.commit_version(self.conn, self.wid, self.version, self.now, **self.counters)
            repo.insert_events(self.conn, self.events)
        elif self.counters:  # cannot happen today (every numbered thing is logged); kept safe
            repo.commit_version(self.conn, self.wid, int(self.workshop.version), self.now, **self.counters)
        return self.result_version


class WorkshopService:
    """The workshop store. Thread-safe: share one instance per process (e.g. via st.cache_resource)."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        samples_dir: Path | None = None,
        clock: Callable[[], datetime] = utcnow,
        batch_edits: bool = True,
    ) -> None:
        self._engine = engine
        self.samples_dir = samples_dir or SAMPLES_DIR
        self._clock = clock
        self._batch_edits = batch_edits  # False: each edit commits alone (as before issue 13; for benchmarks)
        self._flows = FlowCache()  # parsed flows by the rows they came from (redesign/store/flow_cache.py)
        self._contributions: GroupCommit[_Work] = GroupCommit(self._save_contributions)

    @classmethod
    def from_url(cls, url: str | None = None, *, migrate: bool = True, **options: Any) -> WorkshopService:
        """Connect (None: `resolve_database_url()`), migrate to head, and return a service."""
        engine = make_engine(url or resolve_database_url())
        if migrate:
            try:
                upgrade(engine)
            except sa.exc.OperationalError as exc:
                engine.dispose()
                raise StoreUnavailable(f"Cannot open the database: {exc.orig}") from None
        return cls(engine, **options)

    @property
    def engine(self) -> sa.Engine:
        return self._engine

    def dispose(self) -> None:
        self._engine.dispose()

    @property
    def contribution_batches(self) -> BatchStats:
        """How proposals and comments were grouped into transactions so far (for benchmarks and tests)."""
        return self._contributions.stats()

    # ------------------------------------------------------------------ transaction plumbing

    def _transaction(self, body: Callable[[Connection], T]) -> T:
        """Run `body` in a write transaction, retrying transient failures.

        Retried: serialization failures and deadlocks (PostgreSQL), "database is
        locked" (SQLite), and a pooled connection found dead before anything was
        sent (connections are not pinged on checkout, to save a round trip per
        write). Never retried: a failure while committing, whose outcome is unknown.
        """
        for attempt in range(WRITE_ATTEMPTS):
            committing = False
            try:
                with write_transaction(self._engine) as conn:
                    announce.begin(conn)
                    result = body(conn)
                    committing = True
                    versions = announce.taken(conn)
                announce.published(versions)  # committed: tell the open pages (redesign/store/announce.py)
                return result
            except sa.exc.DBAPIError as exc:
                if committing and not _retryable(exc):
                    raise StoreUnavailable(
                        "The database connection broke while saving; reload to see whether your change was kept."
                    ) from None
                if not (_retryable(exc) or exc.connection_invalidated):
                    if isinstance(exc, sa.exc.OperationalError):
                        raise StoreUnavailable(f"The database is not available: {exc.orig}") from None
                    raise
                if attempt == WRITE_ATTEMPTS - 1:
                    raise StoreUnavailable("The database stayed busy; please try again in a moment.") from None
                time.sleep(0.01 * 2**attempt)
        raise AssertionError("unreachable")

    def _read(self, body: Callable[[Connection], T], snapshot: bool = True) -> T:
        for attempt in range(2):
            try:
                with read_transaction(self._engine, snapshot) as conn:
                    return body(conn)
            except sa.exc.DBAPIError as exc:
                if exc.connection_invalidated and attempt == 0:
                    continue  # a pooled connection that died while idle: reads are safe to repeat
                if isinstance(exc, sa.exc.OperationalError):
                    raise StoreUnavailable(f"The database is not available: {exc.orig}") from None
                raise
        raise AssertionError("unreachable")

    @staticmethod
    def _me(conn: Connection, token: str) -> Row[Any]:
        if not isinstance(token, str) or not token:
            raise AccessDenied(_BAD_TOKEN)
        me = repo.participant_by_token(conn, codes.digest(token))
        if me is None:
            raise AccessDenied(_BAD_TOKEN)
        return me

    def _as(self, token: str, action: Action | None, body: Callable[[_Write], T]) -> T:
        """A write by the holder of `token`, allowed only if `action` is permitted now."""

        if not isinstance(token, str) or not token:
            raise AccessDenied(_BAD_TOKEN)
        run = self._as_run(token, action, body)
        if not self._batch_edits:
            return self._transaction(run)
        return self._contributions.submit(_Edit(run))  # shares a commit with concurrent writes (see below)

    def _as_run(self, token: str, action: Action | None, body: Callable[[_Write], T]) -> Callable[[Connection], T]:
        """The transaction body of a write by the holder of `token` (see `_as`)."""
        token_hash = codes.digest(token)

        def run(conn: Connection) -> T:
            row = repo.lock_for_token(conn, token_hash)
            if row is None:
                raise AccessDenied(_BAD_TOKEN)
            me = _Seat(row.p_id, row.id, row.p_name, row.p_function, row.p_is_facilitator)
            if action is not None:
                _reject(refusal(action, row.phase, me.is_facilitator, row.locked), AccessDenied)
            write = _Write(conn, row, me, self._clock(), flows=self._flows)
            result = body(write)
            write.flush()
            return result

        return run

    def _contribute(self, token: str, what: contributions.NewProposal | contributions.NewComment) -> Any:
        """Save a proposal or comment; concurrent ones share a transaction (see `group_commit`)."""
        if not isinstance(token, str) or not token:
            raise AccessDenied(_BAD_TOKEN)
        return self._contributions.submit(contributions.Contribution(codes.digest(token), what))

    def _save_contributions(self, jobs: list[Job[_Work]]) -> None:
        """Save a batch (GroupCommit's callback), settling every job with its outcome.

        Proposals and comments are saved together (`contributions.save`); every other
        write (step edits, settling, facilitator controls) then runs in its own
        savepoint of the same transaction, so a refused edit (stale, invalid, not
        allowed) rolls back alone and the others keep their own versions and events.
        Before edits joined the batches, comments queued behind each edit's own commit.
        Step and hand-off updates are saved with the contributions when they are the plain
        case; the others (`contributions.DECLINED`) run their usual write here, like an edit.
        If the batch's transaction fails for a reason no retry cures, its writes are
        saved again one by one, so one bad write cannot sink the others; if the
        database is down or the commit's outcome is unknown, all of them report it.
        """
        batched = [job for job in jobs if not isinstance(job.work, _Edit)]

        def run(conn: Connection) -> dict[int, Any]:
            outcomes: dict[int, Any] = {}
            edits = [job for job in jobs if isinstance(job.work, _Edit)]
            if batched:
                works = [job.work for job in batched if not isinstance(job.work, _Edit)]
                saved = contributions.save(conn, works, self._clock(), self._flows)
                for job, outcome in zip(batched, saved, strict=True):
                    if outcome is contributions.DECLINED:
                        edits.append(job)
                    else:
                        outcomes[id(job)] = outcome
            for job in edits:
                edit = job.work.fallback if isinstance(job.work, contributions.ItemUpdate) else job.work
                assert isinstance(edit, _Edit)
                if len(jobs) == 1:
                    outcomes[id(job)] = edit.run(conn)  # alone: a refusal rolls back the whole transaction
                    continue
                try:
                    with conn.begin_nested():
                        outcomes[id(job)] = edit.run(conn)
                except StoreError as exc:
                    outcomes[id(job)] = exc
            return outcomes

        try:
            outcomes = self._transaction(run)
        except StoreUnavailable as exc:
            for job in jobs:
                job.fail(exc)
            return
        except Exception as exc:
            if len(jobs) == 1:
                jobs[0].fail(exc)
                return
            log.warning("A batch of %d writes failed; saving them one by one", len(jobs), exc_info=True)
            for job in jobs:
                self._save_contributions([job])
            return
        for job in jobs:
            outcome = outcomes[id(job)]
            if isinstance(outcome, StoreError):
                job.fail(outcome)
            else:
                job.succeed(outcome)

    def _edit(self, token: str, action: Action, body: Callable[[_Write], None]) -> int:
        return self._as(token, action, _versioned(body))

    # ------------------------------------------------------------------ creating and joining

    def create_workshop(self, name: str, goal: str, flow: Flow, facilitator_name: str) -> CreatedWorkshop:
        """A new workshop on `flow`; the creator becomes its facilitator."""
        name = _name(name, "workshop name")
        facilitator_name = _name(facilitator_name, "facilitator's name")
        goal = _text(goal, "goal", MAX_GOAL)
        if not isinstance(flow, Flow):
            raise InvalidInput("The flow is missing or not a Crossflow flow.")
        transfer.check_steps(len(flow.steps))
        flow = _checked(Flow, flow, "flow")
        transfer.raise_if_invalid(flow, what="The flow has problems; it")
        created_at = self._clock()
        doc = WorkshopExport(
            crossflow_workshop_version=transfer.EXPORT_VERSION,
            workshop={"id": "new", "name": name, "goal": goal, "version": 0, "created_at": created_at},
            flow=flow_to_dict(flow),
            participants=[],
        )
        return self._create(doc, flow, facilitator_name, first_event="workshop.create")

    def create_from_sample(
        self, sample_id: str, facilitator_name: str, name: str | None = None, goal: str = ""
    ) -> CreatedWorkshop:
        """A workshop on one of `sample_processes/<sample_id>.json`."""
        flow = self._sample(sample_id)
        return self.create_workshop(name if name is not None else flow.name[:80], goal, flow, facilitator_name)

    def _sample(self, sample_id: str) -> Flow:
        path = self.samples_dir / f"{sample_id}.json"
        if not isinstance(sample_id, str) or not _SAMPLE_ID.match(sample_id) or not path.is_file():
            known = ", ".join(s.id for s in self.list_samples()) or "none installed"
            raise NotFound(f'There is no sample process "{sample_id}". Available: {known}.')
        try:
            return read_flow(path)
        except FlowInvalid as exc:
            raise InvalidInput(f'The sample "{sample_id}" is broken: {exc}', exc.problems) from None

    def list_samples(self) -> list[SampleInfo]:
        """The sample processes shipped in `sample_processes/` (broken files are skipped and logged)."""
        out: list[SampleInfo] = []
        for path in sorted(self.samples_dir.glob("*.json")) if self.samples_dir.is_dir() else []:
            try:
                flow = read_flow(path)
            except FlowInvalid as exc:
                log.warning("skipping broken sample %s: %s", path.name, exc)
                continue
            out.append(
                SampleInfo(
                    id=path.stem,
                    name=flow.name,
                    description=flow.description,
                    steps=len(flow.steps),
                    functions=[f.name for f in flow.functions],
                )
            )
        return out

    def _guarded(self, client: Client | None, attempt: Callable[[], T], workshop_key: str | None = None) -> T:
        """Run a join, preview or key recovery unless `client` (or, for keys, the workshop) guessed wrong too often.

        A wrong guess is counted in its own transaction: the attempt's own one rolls back.
        """
        buckets = rate_limit.client_buckets(client)
        checked = [*buckets, rate_limit.key_bucket(workshop_key)] if workshop_key else buckets
        refused = self._read(lambda conn: rate_limit.refusal(conn, checked, self._clock()), snapshot=False)
        if refused:
            raise LimitExceeded(refused)
        try:
            return attempt()
        except (WrongCode, WrongKey) as exc:
            counted = [*buckets, rate_limit.key_bucket(exc.workshop_id)] if isinstance(exc, WrongKey) else buckets
            self._transaction(lambda conn: rate_limit.record(conn, counted, self._clock()))
            raise

    @staticmethod
    def _workshop_for_code(conn: Connection, join_code: str) -> Row[Any]:
        code = codes.normalize_code(join_code) if isinstance(join_code, str) else None
        row = repo.workshop_by_code(conn, code) if code else None
        if row is None:
            shown = str(join_code)[:40] if isinstance(join_code, str) else ""
            raise WrongCode(f'No workshop has the code "{shown}". Check the code with your facilitator.')
        return row

    def join(self, join_code: str, name: str, function: str, client: Client | None = None) -> Joined:
        """Take a seat: `function` is a function id or name of the flow (case-insensitive).

        `client` is who is asking (see `rate_limit`): wrong codes slow that client only.
        """
        name = _name(name, "name")

        def run(conn: Connection) -> Joined:
            found = self._workshop_for_code(conn, join_code)
            now = self._clock()
            ws = repo.lock_workshop(conn, found.id)
            assert ws is not None
            w = _Write(conn, ws, None, now)
            function_id = self._function_id(w.flow(), function)
            seats = repo.participants(conn, ws.id)
            token = codes.new_token()
            same = [s for s in seats if s.name.casefold() == name.casefold()]
            lookalike = names.confusable_with(name, [s.name for s in seats])
            if same and same[0].token_hash is None and same[0].function == function_id and not same[0].is_facilitator:
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
                seat_id = self._new_participant(
                    conn, ws.id, name, function_id, False, codes.digest(token), now, number=w.take("participant_seq")
                )
            w.me = repo.participant_by_token(conn, codes.digest(token))
            w.log("participant.join", f"participant:{seat_id}", None, {"name": name, "function": function_id})
            w.flush()
            return Joined(workshop_id=ws.id, participant_id=seat_id, token=token)

        return self._guarded(client, lambda: self._transaction(run))

    @staticmethod
    def _function_id(flow: Flow, function: str) -> str:
        wanted = function.strip().casefold() if isinstance(function, str) else ""
        for f in flow.functions:
            if wanted in (f.id.casefold(), f.name.casefold()):
                return f.id
        listed = ", ".join(f.name for f in flow.functions) or "none defined yet"
        raise InvalidInput(
            f'"{function}" is not one of this workshop\'s functions. Choose one of: {listed}. '
            "The facilitator can add a function to the flow first."
        )

    @staticmethod
    def _new_participant(
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
        repo.insert_participants(
            conn,
            [
                {
                    "workshop_id": wid,
                    "id": seat_id,
                    "name": name,
                    "function": function,
                    "is_facilitator": is_facilitator,
                    "token_hash": token_hash,
                    "joined_at": at,
                }
            ],
        )
        return seat_id

    def reclaim_facilitator(self, join_code: str, facilitator_key: str, client: Client | None = None) -> Joined:
        """A new facilitator token; the old one stops working (a lost or hijacked seat comes back).

        Wrong keys count for `client` and for the workshop (see `rate_limit`).
        """
        code = codes.normalize_code(join_code) if isinstance(join_code, str) else None

        def run(conn: Connection) -> Joined:
            found = self._workshop_for_code(conn, join_code)
            key = facilitator_key if isinstance(facilitator_key, str) else ""
            if not hmac.compare_digest(codes.key_digest(key), found.facilitator_key_hash):
                raise WrongKey("That facilitator key does not match this workshop.", found.id)
            now = self._clock()
            ws = repo.lock_workshop(conn, found.id)
            assert ws is not None
            seat = next(s for s in repo.participants(conn, ws.id) if s.is_facilitator)
            token = codes.new_token()
            repo.update_participant(conn, ws.id, seat.id, token_hash=codes.digest(token))
            w = _Write(conn, ws, seat, now)
            w.log("facilitator.reclaim", f"participant:{seat.id}")
            w.flush()
            return Joined(workshop_id=ws.id, participant_id=seat.id, token=token)

        workshop = self._read(lambda conn: repo.workshop_by_code(conn, code), snapshot=False) if code else None
        return self._guarded(client, lambda: self._transaction(run), workshop.id if workshop else None)

    def preview(self, join_code: str, client: Client | None = None) -> JoinPreview:
        """What a person opening the join link needs before taking a seat: the workshop and its functions.

        Counts as a code attempt: unknown codes feed the same rate limit as `join`.
        """

        def run(conn: Connection) -> JoinPreview:
            found = self._workshop_for_code(conn, join_code)
            flow = transfer.load_flow(conn, found.id)
            used = {s.function for s in flow.steps}
            functions = [(f.id, f.name) for f in flow.functions if f.id in used or not used]
            functions += [(f.id, f.name) for f in flow.functions if (f.id, f.name) not in functions]
            return JoinPreview(name=found.name, goal=found.goal, functions=functions)

        return self._guarded(client, lambda: self._read(run))

    # ------------------------------------------------------------------ reading

    def whoami(self, token: str) -> Participant:
        return self._read(lambda conn: _participant(self._me(conn, token)))

    def version(self, workshop_id: str) -> int:
        """The workshop's version: one indexed row, cheap enough to poll every few seconds."""

        def run(conn: Connection) -> int:
            value = repo.workshop_version(conn, workshop_id) if isinstance(workshop_id, str) else None
            if value is None:
                raise NotFound("This workshop no longer exists.")
            return value

        return self._read(run, snapshot=False)  # one row: no snapshot isolation needed

    def state(self, token: str) -> WorkshopState:
        """Everything a page needs, consistent at one version, filtered for the viewer."""
        return self._read(lambda conn: self._state(conn, self._me(conn, token)))

    def state_for(self, workshop_id: str, token: str) -> WorkshopState:
        def run(conn: Connection) -> WorkshopState:
            me = self._me(conn, token)
            if me.workshop_id != workshop_id:
                raise AccessDenied("You have not joined this workshop; join it with its code first.")
            return self._state(conn, me)

        return self._read(run)

    def _state(self, conn: Connection, me_row: Row[Any]) -> WorkshopState:
        ws = repo.workshop(conn, me_row.workshop_id)
        if ws is None:
            raise NotFound("This workshop no longer exists.")
        flow = transfer.load_flow(conn, ws.id)
        people = {p.id: _participant(p) for p in repo.participants(conn, ws.id)}
        me = people[me_row.id]
        step_ids = {s.id for s in flow.steps}
        all_proposals = [self._proposal_out(r, people) for r in repo.proposals(conn, ws.id) if r.step_id in step_ids]
        counts: dict[str, dict[Tag, int]] = {}
        for p in all_proposals:
            counts.setdefault(p.step_id, {}).setdefault(p.tag, 0)
            counts[p.step_id][p.tag] += 1
        visible = (
            all_proposals
            if ws.revealed or me.is_facilitator
            else [p for p in all_proposals if p.participant_id == me.id]
        )
        targets = {"step": step_ids, "handoff": {h.id for h in flow.handoffs}}
        comments = [self._comment_out(r, people, targets) for r in repo.comments(conn, ws.id)]
        order = {s.id: i for i, s in enumerate(flow.steps)}
        decided = sorted(
            (Decision.model_validate(repo.loads(r.body)) for r in repo.decisions(conn, ws.id)),
            key=lambda d: order.get(d.step, len(order)),
        )
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
            flow=flow,
            participants=list(people.values()),
            proposals=visible,
            proposal_counts=counts,
            comments=comments,
            decisions=decided,
            me=me,
            can=permissions(ws.phase, me.is_facilitator, ws.locked),
        )

    @staticmethod
    def _proposal_out(row: Row[Any], people: Mapping[str, Participant]) -> ProposalOut:
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

    @staticmethod
    def _comment_out(row: Row[Any], people: Mapping[str, Participant], targets: Mapping[str, set[str]]) -> CommentOut:
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

    def history(self, token: str, limit: int = 200) -> list[EventOut]:
        """The event log, newest first. Before the reveal, other people's tags are hidden from participants."""
        if not isinstance(limit, int) or not 1 <= limit <= 100_000:
            raise InvalidInput("The history limit must be between 1 and 100,000 events.")

        def run(conn: Connection) -> list[EventOut]:
            me = self._me(conn, token)
            ws = repo.workshop(conn, me.workshop_id)
            assert ws is not None
            hide = not (ws.revealed or me.is_facilitator)
            return [self._event_out(r, hide and r.actor_id != me.id) for r in repo.events(conn, ws.id, limit, True)]

        return self._read(run)

    @staticmethod
    def _event_out(row: Row[Any], hide_tags: bool) -> EventOut:
        private = hide_tags and row.kind.startswith("proposal.")
        return EventOut(
            seq=row.seq,
            version=row.version,
            at=row.at,
            actor_id=row.actor_id,
            actor_name=row.actor_name,
            actor_function=row.actor_function,
            kind=row.kind,
            target=row.target,
            summary=describe_event(row.kind, row.target, None, None, private=True) if private else row.summary,
            before=None if private else repo.loads(row.before),
            after=None if private else repo.loads(row.after),
        )

    def contribution(self, token: str) -> Contribution:
        """Who has been heard: current proposals, comments and flow edits per participant and per function."""

        def run(conn: Connection) -> Contribution:
            me = self._me(conn, token)
            wid = me.workshop_id
            people = [_participant(p) for p in repo.participants(conn, wid)]
            flow = transfer.load_flow(conn, wid)
            events = [_Acted(r.actor_id, r.kind) for r in repo.edit_events(conn, wid, EDIT_KINDS)]
            proposals = [_Proposed(r.participant_id) for r in repo.proposals(conn, wid)]
            comments = [_Authored(r.participant_id) for r in repo.comments(conn, wid)]
            rows = contribution(people, proposals, comments, events)
            return Contribution(
                participants=rows, functions=function_contribution(rows, [f.id for f in flow.functions])
            )

        return self._read(run)

    # ------------------------------------------------------------------ stale detection

    def _function_names(self, w: _Write) -> dict[str, str]:
        return {f.id: f.name for f in w.flow().functions}

    def _changes_by_others(self, w: _Write, base_version: int, targets: Iterable[str] | None) -> list[Row[Any]]:
        current = w.version - 1  # the version before this write
        if not isinstance(base_version, int) or isinstance(base_version, bool) or base_version < 0:
            raise InvalidInput("base_version must be the workshop version you saw (a whole number).")
        if base_version > current:
            raise InvalidInput(
                f"Your edit says it is based on version {base_version}, but the workshop is only at version "
                f"{current}. Reload and try again."
            )
        assert w.me is not None
        return [e for e in repo.edits_since(w.conn, w.wid, base_version, targets) if e.actor_id != w.me.id]

    def _stale(self, w: _Write, base_version: int, events: Sequence[Row[Any]]) -> StaleEdit:
        names = self._function_names(w)
        changes = [
            EventSummary(
                version=e.version,
                at=e.at,
                actor_name=e.actor_name,
                actor_function=names.get(e.actor_function, e.actor_function),
                kind=e.kind,
                target=e.target,
                summary=e.summary,
            )
            for e in events
        ]
        return StaleEdit(stale_message(base_version, changes), changes)

    def _refuse_if_stale(self, w: _Write, base_version: int, targets: Iterable[str]) -> None:
        others = self._changes_by_others(w, base_version, targets)
        if others:
            raise self._stale(w, base_version, others)

    # ------------------------------------------------------------------ flow edits

    def add_step(self, token: str, base_version: int, step: Step, after: str | None = None) -> int:
        """Insert a step (after the step `after`, else at the end). Returns the new version."""
        return self._add_item(token, base_version, "step", step, after)

    def update_step(self, token: str, base_version: int, step: Step) -> int:
        """Replace the step with the same id."""
        return self._update_item(token, base_version, "step", step)

    def delete_step(self, token: str, base_version: int, step_id: str) -> int:
        """Delete a step with its hand-offs and its settled decision (also from the flow's scenarios).

        Proposals and comments on it are kept: proposals drop out of the state while
        the step is gone, comments show as `orphaned`; undoing the deletion brings
        back the step, its hand-offs and its decision, and the proposals reappear.
        """

        def body(w: _Write) -> None:
            flow = w.flow()
            touching = [h for h in flow.handoffs if step_id in (h.source, h.target)]
            targets = [flow_rows.target("step", step_id), *(flow_rows.target("handoff", h.id) for h in touching)]
            self._refuse_if_stale(w, base_version, targets)
            current = repo.flow_item(w.conn, w.wid, "step", step_id)
            if current is None:
                raise missing_item("step", step_id)
            for h in touching:
                self._delete_item(w, "handoff", h.id)
            decided = repo.decision(w.conn, w.wid, step_id)
            if decided is not None:
                repo.delete_decision(w.conn, w.wid, step_id)
                w.log("decision.unsettle", f"decision:{step_id}", decided, None)
            for sc in flow.scenarios:
                if sc.decision_for(step_id) is not None:
                    kept = sc.model_copy(update={"decisions": [d for d in sc.decisions if d.step != step_id]})
                    repo.update_item(w.conn, w.wid, "scenario", sc.id, kept.model_dump(mode="json"))
                    w.log(
                        "scenario.update",
                        flow_rows.target("scenario", sc.id),
                        sc.model_dump(mode="json"),
                        kept.model_dump(mode="json"),
                    )
            self._delete_item(w, "step", step_id)
            if w.workshop.focus_step == step_id:
                repo.update_workshop(w.conn, w.wid, focus_step=None)

        return self._edit(token, "edit_flow", body)

    def move_step(self, token: str, base_version: int, step_id: str, function: str, before: str | None) -> int:
        """Move a step to `function`'s lane and in the flow's order just before `before` (None: the end).

        One write for the board's drag: the function change is a step.update, the new order a
        step.reorder aimed at this step, so a second person moving the same card from an older
        version is refused as stale (the first save wins) while other cards move freely.
        """

        def body(w: _Write) -> None:
            self._refuse_if_stale(w, base_version, [flow_rows.target("step", step_id)])
            flow = w.flow()
            step = next((s for s in flow.steps if s.id == step_id), None)
            if step is None:
                raise missing_item("step", step_id)
            if function not in flow.functions_by_id():
                raise InvalidInput(f'There is no function "{function}" to move the step to.')
            old = [s.id for s in flow.steps]
            if before is not None and before not in old:
                raise missing_item("step", before)
            if step.function != function:
                self._update_item_in(w, "step", step.model_copy(update={"function": function}))
            new = [i for i in old if i != step_id]
            if before == step_id:  # dropped where it stood
                new = old
            else:
                new.insert(new.index(before) if before is not None else len(new), step_id)
            if new != old:
                w.keep_layout("step")
                repo.set_positions(w.conn, w.wid, "step", new)
                w.log("step.reorder", flow_rows.target("step", step_id), old, new, summary=f"moved {step.name}")
                w.forget_flow()

        return self._edit(token, "edit_flow", body)

    def add_handoff(self, token: str, base_version: int, handoff: Handoff) -> int:
        return self._add_item(token, base_version, "handoff", handoff, None)

    def update_handoff(self, token: str, base_version: int, handoff: Handoff) -> int:
        return self._update_item(token, base_version, "handoff", handoff)

    def delete_handoff(self, token: str, base_version: int, handoff_id: str) -> int:
        def body(w: _Write) -> None:
            self._refuse_if_stale(w, base_version, [flow_rows.target("handoff", handoff_id)])
            if repo.flow_item(w.conn, w.wid, "handoff", handoff_id) is None:
                raise missing_item("handoff", handoff_id)
            self._delete_item(w, "handoff", handoff_id)

        return self._edit(token, "edit_flow", body)

    def _delete_item(self, w: _Write, kind: str, item_id: str) -> None:
        current = repo.flow_item(w.conn, w.wid, kind, item_id)
        assert current is not None
        repo.delete_item(w.conn, w.wid, kind, item_id)
        w.log(f"{kind}.delete", flow_rows.target(kind, item_id), current[1], None, position=current[0])
        w.forget_flow()

    def _add_item(self, token: str, base_version: int, kind: str, item: Step | Handoff, after: str | None) -> int:
        model = Step if kind == "step" else Handoff
        item = _checked(model, item, "step" if kind == "step" else "hand-off")

        def body(w: _Write) -> None:
            self._refuse_if_stale(w, base_version, [flow_rows.target(kind, item.id)])
            if repo.flow_item(w.conn, w.wid, kind, item.id) is not None:
                raise InvalidInput(
                    f'A {"step" if kind == "step" else "hand-off"} with id "{item.id}" already exists; pick another id.'
                )
            flow = w.flow()
            if kind == "step":
                transfer.check_steps(len(flow.steps) + 1)
            if after is None:
                position = repo.max_position(w.conn, w.wid, kind) + 1
            else:
                anchor = repo.flow_item(w.conn, w.wid, kind, after)
                if anchor is None:
                    raise NotFound(f'There is no step "{after}" to add the new step after.')
                position = anchor[0] + 1
            items = [*getattr(flow, flow_rows.LIST_FIELDS[kind]), item]
            transfer.raise_if_invalid(flow.model_copy(update={flow_rows.LIST_FIELDS[kind]: items}))
            body_json = item.model_dump(mode="json")
            if repo.position_taken(w.conn, w.wid, kind, position):
                w.keep_layout(kind)  # the rows after it move down one place
            repo.insert_item_at(w.conn, w.wid, kind, item.id, position, body_json)
            w.log(f"{kind}.add", flow_rows.target(kind, item.id), None, body_json, position=position)

        return self._edit(token, "edit_flow", body)

    def _update_item(self, token: str, base_version: int, kind: str, item: Step | Handoff) -> int:
        model = Step if kind == "step" else Handoff
        item = _checked(model, item, "step" if kind == "step" else "hand-off")

        def body(w: _Write) -> None:
            self._refuse_if_stale(w, base_version, [flow_rows.target(kind, item.id)])
            self._update_item_in(w, kind, item)

        if not self._batch_edits or not isinstance(token, str) or not token:
            return self._edit(token, "edit_flow", body)
        # The plain case is saved with the batch's proposals and comments; the rest runs `body`.
        fallback = _Edit(self._as_run(token, "edit_flow", _versioned(body)))
        update = contributions.ItemUpdate(codes.digest(token), kind, item, base_version, fallback)
        return int(self._contributions.submit(update))

    def _update_item_in(self, w: _Write, kind: str, item: Step | Handoff) -> None:
        current = w.item(kind, item.id)
        if current is None:
            raise missing_item(kind, item.id)
        body_json = item.model_dump(mode="json")
        if body_json == current[1]:
            return
        flow = w.flow()
        field_name = flow_rows.LIST_FIELDS[kind]
        items = [item if x.id == item.id else x for x in getattr(flow, field_name)]
        changed = flow.model_copy(update={field_name: items})
        index = next(i for i, x in enumerate(items) if x.id == item.id)
        own = transfer.item_problems(flow, kind, index, body_json)  # only what this item refers to
        if own is None:
            transfer.raise_if_invalid(changed, self._decisions(w))
        elif own:
            transfer.raise_problems(own)
        repo.update_item(w.conn, w.wid, kind, item.id, body_json)
        w.log(f"{kind}.update", flow_rows.target(kind, item.id), current[1], body_json)
        w.updated_item(kind, item.id, body_json, changed)

    @staticmethod
    def _decisions(w: _Write) -> list[Decision]:
        return [Decision.model_validate(repo.loads(r.body)) for r in repo.decisions(w.conn, w.wid)]

    def replace_flow(self, token: str, base_version: int, flow: Flow) -> int:
        """Bulk edit (the table editor). A three-way merge against what the caller saw:

        - parts the caller changed that nobody else touched since `base_version` are applied;
        - parts someone else changed since then and the caller left as they were are kept
          as the other person left them (no silent revert);
        - parts both changed differently refuse the whole edit with StaleEdit.
        """
        if not isinstance(flow, Flow):
            raise InvalidInput("Expected a Flow.")
        transfer.check_steps(len(flow.steps))
        flow = _checked(Flow, flow, "flow")

        def body(w: _Write) -> None:
            current = self._current_parts(w)
            wanted = flow_rows.split(flow)
            by_others = self._changes_by_others(w, base_version, None)
            seen_before: dict[flow_rows.Key, Any] = {}
            for e in by_others:  # oldest first: the first event's "before" is what the caller saw
                kind, _, item_id = e.target.partition(":")
                if kind in flow_rows.LIST_FIELDS or kind == "flow":
                    seen_before.setdefault((kind, item_id), repo.loads(e.before))
            conflicts: set[str] = set()
            merged: dict[flow_rows.Key, Any] = {}
            for key in [*current, *(k for k in wanted if k not in current)]:
                cur = current.get(key, (None, None))[1]
                new = wanted.get(key, (None, None))[1]
                if key in seen_before and new != cur and new != seen_before[key]:
                    conflicts.add(flow_rows.target(*key))
                keep_theirs = key in seen_before and new == seen_before[key]
                final = cur if keep_theirs else new
                if final is not None:
                    merged[key] = final
            if conflicts:
                raise self._stale(w, base_version, [e for e in by_others if e.target in conflicts])
            order = self._merged_order(current, wanted, merged)
            result = flow_rows.assemble((k[0], k[1], order[k], merged[k]) for k in merged)
            transfer.check_steps(len(result.steps))
            transfer.raise_if_invalid(result, self._decisions(w), what="This edit")
            self._write_parts(w, current, merged, order)

        return self._edit(token, "edit_flow", body)

    def _current_parts(self, w: _Write) -> dict[flow_rows.Key, tuple[int, Any]]:
        return {(r.kind, r.item_id): (r.position, repo.loads(r.body)) for r in repo.flow_items(w.conn, w.wid)}

    @staticmethod
    def _merged_order(
        current: Mapping[flow_rows.Key, tuple[int, Any]],
        wanted: Mapping[flow_rows.Key, tuple[int, Any]],
        merged: Mapping[flow_rows.Key, Any],
    ) -> dict[flow_rows.Key, int]:
        """The caller's order; parts only others have (kept by the merge) follow their old neighbour."""
        order: dict[flow_rows.Key, int] = {}
        for kind in {k[0] for k in merged}:
            line = [k for k, _ in sorted(((k, v[0]) for k, v in wanted.items() if k[0] == kind), key=lambda x: x[1])]
            line = [k for k in line if k in merged]
            previous = [
                k for k, _ in sorted(((k, v[0]) for k, v in current.items() if k[0] == kind), key=lambda x: x[1])
            ]
            for i, key in enumerate(previous):
                if key in merged and key not in line:
                    anchor = next((previous[j] for j in range(i - 1, -1, -1) if previous[j] in line), None)
                    line.insert(line.index(anchor) + 1 if anchor else 0, key)
            order.update({key: pos for pos, key in enumerate(line)})
        return order

    def _write_parts(
        self,
        w: _Write,
        current: Mapping[flow_rows.Key, tuple[int, Any]],
        merged: Mapping[flow_rows.Key, Any],
        order: Mapping[flow_rows.Key, int],
    ) -> None:
        renumber = sorted(kind for kind in {k[0] for k in merged} if self._moves(w, kind, current, merged, order))
        for kind in renumber:
            w.keep_layout(kind)
        for key, (position, body) in current.items():
            if key not in merged:
                repo.delete_item(w.conn, w.wid, *key)
                w.log(f"{key[0]}.delete", flow_rows.target(*key), body, None, position=position)
        for key in merged:
            if key in current and current[key][1] != merged[key]:
                repo.update_item(w.conn, w.wid, key[0], key[1], merged[key])
                w.log(f"{key[0]}.update", flow_rows.target(*key), current[key][1], merged[key])
        new_rows = [(k[0], k[1], order[k], merged[k]) for k in merged if k not in current]
        repo.insert_items(w.conn, w.wid, new_rows)
        for kind, item_id, position, body in new_rows:
            w.log(f"{kind}.add", flow_rows.target(kind, item_id), None, body, position=position)
        for kind in renumber:
            line = sorted((k for k in merged if k[0] == kind), key=lambda k: order[k])
            repo.set_positions(w.conn, w.wid, kind, [k[1] for k in line])
        w.forget_flow()

    @staticmethod
    def _moves(
        w: _Write,
        kind: str,
        current: Mapping[flow_rows.Key, tuple[int, Any]],
        merged: Mapping[flow_rows.Key, Any],
        order: Mapping[flow_rows.Key, int],
    ) -> bool:
        """Whether the rows of `kind` must be renumbered (something moved or was inserted); a move is
        also logged as "<kind>.reorder" so others see it. Pure deletions leave gaps and renumber nothing."""
        old = [k[1] for k in sorted((k for k in current if k[0] == kind), key=lambda k: current[k][0])]
        new = [k[1] for k in sorted((k for k in merged if k[0] == kind), key=lambda k: order[k])]
        kept_old = [i for i in old if i in set(new)]
        kept_new = [i for i in new if i in set(old)]
        if kept_old != kept_new:
            w.log(f"{kind}.reorder", f"{kind}:*", old, new)
            return True
        return len(kept_new) < len(new)

    # ------------------------------------------------------------------ proposals and comments

    def propose(self, token: str, step_id: str, tag: Tag | str, rationale: str = "") -> int:
        """Your tag for a step (one current proposal per person and step; it replaces your previous one)."""
        try:
            tag = Tag(tag)
        except ValueError:
            raise InvalidInput(f'"{tag}" is not a tag; choose human, augment or automate.') from None
        rationale = _text(rationale, "rationale", MAX_RATIONALE)

        if not isinstance(step_id, str):
            raise missing_item("step", step_id)
        return self._contribute(token, contributions.NewProposal(step_id, tag.value, rationale))

    def withdraw_proposal(self, token: str, step_id: str) -> int:
        def body(w: _Write) -> None:
            assert w.me is not None
            existing = repo.proposal(w.conn, w.wid, step_id, w.me.id)
            if existing is None:
                raise NotFound(f'You have no proposal on step "{step_id}" to withdraw.')
            repo.delete_proposal(w.conn, w.wid, step_id, w.me.id)
            w.log("proposal.withdraw", f"step:{step_id}", {"tag": existing.tag, "rationale": existing.rationale})

        return self._edit(token, "propose", body)

    @staticmethod
    def _require_target(w: _Write, kind: str, target_id: str) -> None:
        if not isinstance(target_id, str) or repo.flow_item(w.conn, w.wid, kind, target_id) is None:
            raise missing_item(kind, target_id)

    def comment(
        self,
        token: str,
        target_kind: TargetKind,
        target_id: str,
        text: str,
        kind: CommentKind = "comment",
    ) -> CommentOut:
        """A comment or flag (data quality, risk, question) on a step or hand-off. Stored as plain text."""
        if target_kind not in ("step", "handoff"):
            raise InvalidInput('Comments go on a "step" or a "handoff".')
        if kind not in _COMMENT_KINDS:
            raise InvalidInput(f'"{kind}" is not a kind of comment; use one of: {", ".join(_COMMENT_KINDS)}.')
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("The comment is empty.")
        _reject(text_problem(text, "comment", MAX_COMMENT))

        if not isinstance(target_id, str):
            raise missing_item(target_kind, target_id)
        return self._contribute(token, contributions.NewComment(target_kind, target_id, kind, text))

    def resolve_comment(self, token: str, comment_id: int, resolved: bool = True) -> int:
        """Mark a comment resolved (or open again); its author or the facilitator may."""

        def body(w: _Write) -> None:
            assert w.me is not None
            row = repo.comment(w.conn, w.wid, comment_id) if isinstance(comment_id, int) else None
            if row is None:
                raise NotFound(f"There is no comment #{comment_id} in this workshop.")
            if row.participant_id != w.me.id and not w.me.is_facilitator:
                raise AccessDenied("Only the author of a comment or the facilitator can resolve it.")
            if bool(row.resolved) != bool(resolved):
                repo.set_comment_resolved(w.conn, w.wid, comment_id, bool(resolved))
                w.log(
                    "comment.resolve" if resolved else "comment.reopen", f"comment:{comment_id}", row.resolved, resolved
                )

        return self._edit(token, "comment", body)

    # ------------------------------------------------------------------ decisions

    def settle(self, token: str, decision: Decision) -> int:
        """Facilitator: the room's decision for a step (replaces an earlier one for that step)."""
        decision = _checked(Decision, decision, "decision")

        def body(w: _Write) -> None:
            self._require_target(w, "step", decision.step)
            others = [d for d in self._decisions(w) if d.step != decision.step]
            problems = transfer.flow_problems(w.flow(), [*others, decision])
            mine = [p for p in problems if p.location.startswith("settled decisions")]
            if mine:
                raise InvalidInput(
                    "This decision names something the flow does not have: " + "; ".join(p.message for p in mine) + ".",
                    mine,
                )
            before = repo.decision(w.conn, w.wid, decision.step)
            after = decision.model_dump(mode="json")
            repo.put_decision(w.conn, w.wid, decision.step, after, w.me.id if w.me else None, w.now)
            w.log("decision.settle", f"decision:{decision.step}", before, after)

        return self._edit(token, "settle", body)

    def unsettle(self, token: str, step_id: str) -> int:
        def body(w: _Write) -> None:
            before = repo.decision(w.conn, w.wid, step_id)
            if before is None:
                raise NotFound(f'Step "{step_id}" has no settled decision.')
            repo.delete_decision(w.conn, w.wid, step_id)
            w.log("decision.unsettle", f"decision:{step_id}", before, None)

        return self._edit(token, "settle", body)

    # ------------------------------------------------------------------ facilitator controls

    def _control(self, token: str, kind: str, column: str, value: Any, shown: Any = None) -> int:
        def body(w: _Write) -> None:
            before = getattr(w.workshop, column)
            repo.update_workshop(w.conn, w.wid, **{column: value})
            show = (lambda v: v.isoformat() if isinstance(v, datetime) else v) if shown is None else shown
            w.log(kind, "workshop", show(before), show(value))

        return self._edit(token, "control", body)

    def set_phase(self, token: str, phase: Phase | str) -> int:
        try:
            phase = Phase(phase)
        except ValueError:
            raise InvalidInput(f'"{phase}" is not a phase; use one of: {", ".join(p.value for p in Phase)}.') from None
        return self._control(token, "phase.set", "phase", phase.value)

    def set_timer(self, token: str, seconds: int | None) -> int:
        """Start a countdown of `seconds` (stored as its UTC end time); None clears it."""
        if seconds is not None and (
            isinstance(seconds, bool) or not isinstance(seconds, int) or not 1 <= seconds <= MAX_TIMER_SECONDS
        ):
            raise InvalidInput(f"A timer runs from 1 second to {MAX_TIMER_SECONDS // 3600} hours.")
        ends = None if seconds is None else self._clock() + timedelta(seconds=seconds)
        return self._control(token, "timer.set", "timer_ends_at", ends)

    def set_focus(self, token: str, step_id: str | None) -> int:
        def body(w: _Write) -> None:
            if step_id is not None:
                self._require_target(w, "step", step_id)
            before = w.workshop.focus_step
            repo.update_workshop(w.conn, w.wid, focus_step=step_id)
            w.log("focus.set", "workshop", before, step_id)

        return self._edit(token, "control", body)

    def set_lock(self, token: str, locked: bool) -> int:
        return self._control(token, "lock.set", "locked", bool(locked))

    def set_reveal(self, token: str, revealed: bool) -> int:
        return self._control(token, "reveal.set", "revealed", bool(revealed))

    # ------------------------------------------------------------------ undo

    def undo(self, token: str) -> int:
        """Facilitator: revert the newest flow edit or settle that is not undone yet (as new events)."""

        def body(w: _Write) -> None:
            target_version = repo.last_undoable_version(w.conn, w.wid)
            if target_version is None:
                raise InvalidInput("There is nothing to undo: no flow edit or settled decision yet.")
            events = [e for e in repo.events_of_version(w.conn, w.wid, target_version) if e.kind in UNDOABLE_KINDS]
            for e in sorted(reversed(events), key=_revert_phase):
                self._revert(w, e, target_version)
            for e in events:  # every row is back: put them exactly where they stood
                if e.layout is not None:
                    repo.put_positions(w.conn, w.wid, e.kind.partition(".")[0], repo.loads(e.layout))
            if not w.events:  # nothing left to revert: still mark the version undone, or undo would stick on it
                w.log(
                    "undo.noop", "workshop", None, None, undoes=target_version, summary="undid nothing (already undone)"
                )
            w.forget_flow()
            transfer.raise_if_invalid(w.flow(), self._decisions(w), what="Undoing that change")

        return self._edit(token, "control", body)

    def _revert(self, w: _Write, event: Row[Any], undone: int) -> None:
        item, _, verb = event.kind.partition(".")
        target_id = event.target.partition(":")[2]
        before = repo.loads(event.before)
        summary = f"undid a change ({event.summary})"
        if item == "decision":
            current = repo.decision(w.conn, w.wid, target_id)
            if before is None:
                repo.delete_decision(w.conn, w.wid, target_id)
                w.log("decision.unsettle", event.target, current, None, undoes=undone, summary=summary)
            else:
                repo.put_decision(w.conn, w.wid, target_id, before, w.me.id if w.me else None, w.now)
                w.log("decision.settle", event.target, current, before, undoes=undone, summary=summary)
            return
        if verb == "reorder":  # the positions come back from the write's layout, after every row is back
            w.log(f"{item}.reorder", event.target, repo.loads(event.after), before, undoes=undone, summary=summary)
            return
        existing = repo.flow_item(w.conn, w.wid, item, target_id)
        if verb == "add":
            if existing is not None:
                repo.delete_item(w.conn, w.wid, item, target_id)
                w.log(
                    f"{item}.delete",
                    event.target,
                    existing[1],
                    None,
                    position=existing[0],
                    undoes=undone,
                    summary=summary,
                )
        elif verb == "update" and existing is not None:
            repo.update_item(w.conn, w.wid, item, target_id, before)
            w.log(f"{item}.update", event.target, existing[1], before, undoes=undone, summary=summary)
        elif verb == "delete" and existing is None:
            end = repo.max_position(w.conn, w.wid, item) + 1
            position = event.position if event.position is not None else end
            repo.insert_item_at(w.conn, w.wid, item, target_id, position, before)
            w.log(f"{item}.add", event.target, None, before, position=position, undoes=undone, summary=summary)

    # ------------------------------------------------------------------ export, import, delete

    def export_workshop(self, token: str) -> dict[str, Any]:
        """Facilitator: the whole workshop as a JSON-able dict (no tokens, keys or join code).

        `import_workshop(export)` re-creates it; exporting that again gives the same
        document except `workshop.id` and `exported_at` (and the facilitator's name
        if a different one was given to the import).
        """

        def run(conn: Connection) -> dict[str, Any]:
            me = self._me(conn, token)
            ws = repo.workshop(conn, me.workshop_id)
            assert ws is not None
            _reject(refusal("control", ws.phase, me.is_facilitator, ws.locked), AccessDenied)
            return transfer.export_document(conn, ws.id, exported_at=self._clock(), with_secrets=False)

        return self._read(run)

    def import_workshop(self, doc: dict[str, Any], facilitator_name: str) -> CreatedWorkshop:
        """A new workshop from an export: new id, join code, facilitator key and token.

        The importer takes the exported facilitator's seat (renamed to
        `facilitator_name`); everyone else's seat is kept for the record and can be
        claimed by joining with the same name and function.
        """
        facilitator_name = _name(facilitator_name, "facilitator's name")
        parsed, flow = transfer.parse_export(doc)
        return self._create(parsed, flow, facilitator_name, first_event=None)

    def _create(
        self, doc: WorkshopExport, flow: Flow, facilitator_name: str, *, first_event: str | None
    ) -> CreatedWorkshop:
        """Insert a validated document as a new workshop (new id, code, key and facilitator token)."""
        key = codes.new_facilitator_key()
        token = codes.new_token()

        def run(conn: Connection) -> CreatedWorkshop:
            now = self._clock()
            wid = uuid.uuid4().hex
            code = self._free_code(conn)
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
                self._new_participant(conn, wid, facilitator_name, "", True, codes.digest(token), now)
            if first_event is not None:
                me = repo.participant_by_token(conn, codes.digest(token))
                w = _Write(conn, repo.workshop(conn, wid), me, now)
                w.log(first_event, "workshop", None, {"name": doc.workshop.name})
                w.flush()
            return CreatedWorkshop(workshop_id=wid, join_code=code, facilitator_key=key, facilitator_token=token)

        return self._transaction(run)

    @staticmethod
    def _free_code(conn: Connection) -> str:
        for _ in range(20):
            code = codes.new_join_code()
            if repo.workshop_by_code(conn, code) is None:
                return code
        raise StoreUnavailable("Could not find a free join code; please try again.")  # 2^49 codes: never happens

    def delete_workshop(self, token: str, facilitator_key: str) -> dict[str, Any]:
        """Facilitator (token and key): delete the workshop; returns its final export, also kept in the archive."""

        def run(conn: Connection) -> dict[str, Any]:
            me = self._me(conn, token)
            ws = repo.workshop(conn, me.workshop_id)
            assert ws is not None
            if not me.is_facilitator:
                raise AccessDenied("Only the facilitator can delete a workshop.")
            key = facilitator_key if isinstance(facilitator_key, str) else ""
            if not hmac.compare_digest(codes.key_digest(key), ws.facilitator_key_hash):
                raise WrongKey("That facilitator key does not match this workshop.", ws.id)
            export = transfer.export_document(conn, ws.id, exported_at=self._clock(), with_secrets=False)
            repo.archive(conn, ws.id, ws.name, self._clock(), export)
            repo.delete_workshop(conn, ws.id)
            return export

        workshop_id = self._read(lambda conn: self._me(conn, token).workshop_id)
        key_bucket = [rate_limit.key_bucket(workshop_id)]
        refused = self._read(lambda conn: rate_limit.refusal(conn, key_bucket, self._clock()), snapshot=False)
        if refused:
            raise LimitExceeded(refused)
        try:
            return self._transaction(run)
        except WrongKey:
            self._transaction(lambda conn: rate_limit.record(conn, key_bucket, self._clock()))
            raise

    # ------------------------------------------------------------------ backups (used by backup.py)

    def export_all(self) -> dict[str, Any]:
        """Every workshop with its secrets' hashes, plus the archive: a full backup document."""

        def run(conn: Connection) -> dict[str, Any]:
            now = self._clock()
            return {
                "workshops": [
                    transfer.export_document(conn, wid, exported_at=now, with_secrets=True)
                    for wid in repo.workshop_ids(conn)
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

        return self._read(run)

    def restore_backup(
        self, workshops: Sequence[Mapping[str, Any]], archived: Sequence[Mapping[str, Any]]
    ) -> tuple[list[str], list[str], int]:
        """Restore a backup in one transaction: every workshop and archived export, or nothing.

        Returns (restored ids, skipped ids, archived exports added); a workshop whose id
        or join code is already in this database is skipped, never overwritten. Every
        document is checked before anything is written, and a refusal names the
        workshop by its place in the backup.
        """
        parsed_all = []
        for i, doc in enumerate(workshops):
            try:
                if not isinstance(doc, Mapping):
                    raise InvalidInput("it is not a workshop document.")
                parsed, flow = transfer.parse_export(dict(doc))
            except InvalidInput as exc:
                message = f"Workshop {i + 1} of the backup: {exc} Nothing was restored."
                raise InvalidInput(message, exc.problems) from None
            if parsed.secrets is None:
                raise InvalidInput(
                    f"Workshop {i + 1} of the backup has no secrets section (restore needs a file made by backup). "
                    "Nothing was restored."
                )
            parsed_all.append((parsed, flow))

        def run(conn: Connection) -> tuple[list[str], list[str], int]:
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
                    now=self._clock(),
                )
                restored.append(parsed.workshop.id)
            return restored, skipped, self._restore_archive(conn, archived)

        try:
            return self._transaction(run)
        except sa.exc.IntegrityError as exc:
            raise InvalidInput(
                "The backup clashes with this database (a participant's token or a workshop is already here under "
                f"another id): {' '.join(str(exc.orig).split())[:200]}. Nothing was restored."
            ) from None

    @staticmethod
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
                ) from None
            if (wid, at.isoformat()) in existing:
                continue
            repo.archive(conn, wid, name, at, export)
            added += 1
        return added

    def is_sqlite(self) -> bool:
        return is_sqlite(self._engine)


def _revert_phase(event: Row[Any]) -> tuple[int, int]:
    """The order undo reverts one write's events in (a stable sort keeps newest-first within a phase).

    Added rows go and changed rows get their old body first; deleted rows come back
    at their old positions, lowest first (deletions never renumber the rows that
    stay, so those places are free); decisions follow their steps. Writes that
    moved rows carry the old positions (`layout`), which undo applies last.
    """
    item, _, verb = event.kind.partition(".")
    if verb == "reorder":
        return (3, 0)
    if item == "decision":
        return (2, 0)
    if verb == "delete":
        return (1, event.position if event.position is not None else 0)
    return (0, 0)


@dataclass(frozen=True, eq=False)
class _Edit:
    """A write other than a proposal or comment, as the body of a transaction (see `_save_contributions`)."""

    run: Callable[[Connection], Any]


def _versioned(body: Callable[[_Write], None]) -> Callable[[_Write], int]:
    """`body`, returning the version the write made (or the current one, if it changed nothing)."""

    def run(w: _Write) -> int:
        body(w)
        return w.result_version

    return run


_Work = contributions.Contribution | contributions.ItemUpdate | _Edit
"""What the group commit batches (see `_save_contributions`)."""


@dataclass(frozen=True)
class _Seat:
    """The caller, as read together with the locked workshop row."""

    id: str
    workshop_id: str
    name: str
    function: str
    is_facilitator: bool


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
