"""`WorkshopService`: the API the Streamlit pages call for live, multi-user workshops.

Every call takes the caller's secret token (except creating, joining and reading the
version number); the token decides the workshop, so one workshop's participant can
never name another's data. Every write is one short transaction (`unit_of_work`) that
locks the caller's workshop's row, checks the facilitation rules of `redesign.workshop`
against it, and writes the change with its events and the new version together; a
refused write rolls back and a no-op logs nothing, so the version moves exactly when
something was saved. What a flow edit, a decision or an undo does is decided by the
pure write model (`redesign.writes.decide`: stale check, three-way merge, order, undo)
and carried out here (`apply`). Proposals and comments are never stale; with the plain
step edits they share one transaction and commit with whatever arrives at the same
moment (`group_commit`, `contributions`, `write_batches`), each keeping its own version,
event and outcome. Reads are in `reads`, seats in `seats`, small room writes in
`room_writes`; failures are logged by `reporting`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from redesign.model import Decision, Flow, Handoff, Step, Tag
from redesign.samples import SAMPLES_DIR
from redesign.store import (
    backup_documents,
    codes,
    contributions,
    inputs,
    rate_limit,
    reads,
    reporting,
    room_writes,
    sample_flows,
    seats,
    transfer,
    write_batches,
)
from redesign.store import repository as repo
from redesign.store.apply import carry_out
from redesign.store.contributions import BAD_TOKEN as _BAD_TOKEN
from redesign.store.database import is_sqlite, make_engine, resolve_database_url
from redesign.store.errors import (
    AccessDenied,
    InvalidInput,
    LimitExceeded,
    NotFound,
    StoreUnavailable,
    WrongCode,
    WrongKey,
    missing_item,
    refused,
)
from redesign.store.flow_cache import FlowCache
from redesign.store.group_commit import BatchStats, GroupCommit
from redesign.store.migrate import upgrade
from redesign.store.rate_limit import Client
from redesign.store.records import ParticipantRecord
from redesign.store.reporting import reported
from redesign.store.room_cache import RoomCache
from redesign.store.schemas import (
    CommentOut,
    Contribution,
    CreatedWorkshop,
    EventOut,
    Joined,
    JoinPreview,
    Participant,
    Phase,
    SampleInfo,
    WorkshopExport,
    WorkshopState,
)
from redesign.store.snapshot import StoreSnapshot
from redesign.store.tables import utcnow
from redesign.store.unit_of_work import Write, read, transaction
from redesign.store.write_batches import Work
from redesign.workshop import (
    MAX_COMMENT,
    MAX_GOAL,
    MAX_RATIONALE,
    Action,
    CommentKind,
    TargetKind,
    refusal,
    text_problem,
)
from redesign.writes import commands as cmd
from redesign.writes.decide import decide
from redesign.writes.events import EventKind
from redesign.writes.plan import Plan

T = TypeVar("T")

_COMMENT_KINDS = ("comment", "data_quality", "risk", "question")


def _me(conn: Connection, token: str) -> ParticipantRecord:
    if not isinstance(token, str) or not token:
        raise AccessDenied(_BAD_TOKEN)
    me = repo.participant_by_token(conn, codes.digest(token))
    if me is None:
        raise AccessDenied(_BAD_TOKEN)
    return me


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
        self._rooms = RoomCache()  # whole-workshop reads by version, for the view route (room_cache.py)
        self._contributions: GroupCommit[Work] = GroupCommit(
            lambda jobs: write_batches.save(jobs, self._transaction, self._clock, self._flows)
        )

    @classmethod
    def from_url(cls, url: str | None = None, *, migrate: bool = True, **options: Any) -> WorkshopService:
        """Connect (None: `resolve_database_url()`), migrate to head, and return a service."""
        engine = make_engine(url or resolve_database_url())
        if migrate:
            try:
                upgrade(engine)
            except sa.exc.OperationalError as exc:
                engine.dispose()
                raise StoreUnavailable(f"Cannot open the database: {exc.orig}") from exc
        return cls(engine, **options)

    @property
    def engine(self) -> sa.Engine:
        return self._engine

    def dispose(self) -> None:
        self._engine.dispose()

    def is_sqlite(self) -> bool:
        return is_sqlite(self._engine)

    @property
    def contribution_batches(self) -> BatchStats:
        """How proposals and comments were grouped into transactions so far (for benchmarks and tests)."""
        return self._contributions.stats()

    # ------------------------------------------------------------------ transaction plumbing

    def _transaction(self, body: Callable[[Connection], T]) -> T:
        return transaction(self._engine, body)

    def _read(self, body: Callable[[Connection], T], snapshot: bool = True) -> T:
        return read(self._engine, body, snapshot)

    def _as(self, token: str, action: Action | None, body: Callable[[Write], T]) -> T:
        """A write by the holder of `token`, allowed only if `action` is permitted now."""

        if not isinstance(token, str) or not token:
            raise AccessDenied(_BAD_TOKEN)
        run = self._as_run(token, action, body)
        if not self._batch_edits:
            return self._transaction(run)
        return self._contributions.submit(write_batches.Edit(run))  # shares a commit with concurrent writes

    def _as_run(self, token: str, action: Action | None, body: Callable[[Write], T]) -> Callable[[Connection], T]:
        """The transaction body of a write by the holder of `token` (see `_as`)."""
        token_hash = codes.digest(token)
        where = reporting.current()  # this thread's call; `run` may run in another (group commit)

        def run(conn: Connection) -> T:
            found = repo.lock_for_token(conn, token_hash)
            if found is None:
                raise AccessDenied(_BAD_TOKEN)
            ws, me = found
            if where is not None:
                where.workshop_id = ws.id
            if action is not None:
                inputs.reject(refusal(action, ws.phase, me.is_facilitator, ws.locked), AccessDenied)
            write = Write(conn, ws, me, self._clock(), flows=self._flows)
            result = body(write)
            write.flush()
            return result

        return run

    def _workshop_of(self, token: Any = None, join_code: Any = None) -> str | None:
        """The id of the workshop a token or join code belongs to (for logs: `reporting`), or None."""
        if isinstance(token, str) and token:
            me = self._read(lambda conn: repo.participant_by_token(conn, codes.digest(token)), snapshot=False)
            return None if me is None else str(me.workshop_id)
        code = codes.normalize_code(join_code) if isinstance(join_code, str) else None
        found = self._read(lambda conn: repo.workshop_by_code(conn, code), snapshot=False) if code else None
        return None if found is None else str(found.id)

    def _contribute(self, token: str, what: contributions.NewProposal | contributions.NewComment) -> Any:
        """Save a proposal or comment; concurrent ones share a transaction (see `group_commit`)."""
        if not isinstance(token, str) or not token:
            raise AccessDenied(_BAD_TOKEN)
        return self._contributions.submit(contributions.Contribution(codes.digest(token), what, reporting.current()))

    def _edit(self, token: str, action: Action, body: Callable[[Write], None]) -> int:
        return self._as(token, action, _versioned(body))

    def _decide(self, token: str, action: Action, command: cmd.Command) -> int:
        """A write the write model decides (`redesign.writes.decide`), carried out in SQL (`store.apply`)."""
        return self._edit(token, action, _decided(command))

    def _update_item(self, token: str, item: Step | Handoff, base_version: int) -> int:
        """A step or hand-off update: the plain case is saved with the batch's proposals and comments
        (`contributions.ItemUpdate`); the rest falls back to the write model's usual write."""
        command = cmd.UpdateItem(base_version, item)
        if not self._batch_edits or not isinstance(token, str) or not token:
            return self._decide(token, "edit_flow", command)
        fallback = write_batches.Edit(self._as_run(token, "edit_flow", _versioned(_decided(command))))
        kind = "step" if isinstance(item, Step) else "handoff"
        where = reporting.current()
        update = contributions.ItemUpdate(codes.digest(token), kind, item, base_version, fallback, where)
        return int(self._contributions.submit(update))

    # ------------------------------------------------------------------ creating and joining

    @reported
    def create_workshop(self, name: str, goal: str, flow: Flow, facilitator_name: str) -> CreatedWorkshop:
        """A new workshop on `flow`; the creator becomes its facilitator."""
        name = inputs.name(name, "workshop name")
        facilitator_name = inputs.name(facilitator_name, "facilitator's name")
        goal = inputs.text(goal, "goal", MAX_GOAL)
        if not isinstance(flow, Flow):
            raise InvalidInput("The flow is missing or not a Crossflow flow.")
        transfer.check_steps(len(flow.steps))
        flow = inputs.checked(Flow, flow, "flow")
        transfer.raise_if_invalid(flow, what="The flow has problems; it")
        created_at = self._clock()
        doc = seats.new_document(name, goal, flow, created_at)
        return self._create(doc, flow, facilitator_name, first_event=EventKind.WORKSHOP_CREATE)

    @reported
    def create_from_sample(
        self, sample_id: str, facilitator_name: str, name: str | None = None, goal: str = ""
    ) -> CreatedWorkshop:
        """A workshop on one of `sample_processes/<sample_id>.json`."""
        flow = self._sample(sample_id)
        return self.create_workshop(name if name is not None else flow.name[:80], goal, flow, facilitator_name)

    def _sample(self, sample_id: str) -> Flow:
        return sample_flows.sample(self.samples_dir, sample_id)

    def list_samples(self) -> list[SampleInfo]:
        """The sample processes shipped in `sample_processes/` (broken files are skipped and logged)."""
        return sample_flows.listed(self.samples_dir)

    def _guarded(self, client: Client | None, attempt: Callable[[], T], workshop_key: str | None = None) -> T:
        """Run a join, preview or key recovery unless `client` (or, for keys, the workshop) guessed wrong too often.

        A wrong guess is counted in its own transaction: the attempt's own one rolls back.
        """
        buckets = rate_limit.client_buckets(client)
        checked_buckets = [*buckets, rate_limit.key_bucket(workshop_key)] if workshop_key else buckets
        refused_now = self._read(lambda conn: rate_limit.refusal(conn, checked_buckets, self._clock()), snapshot=False)
        if refused_now:
            raise LimitExceeded(refused_now)
        try:
            return attempt()
        except (WrongCode, WrongKey) as exc:
            counted = [*buckets, rate_limit.key_bucket(exc.workshop_id)] if isinstance(exc, WrongKey) else buckets
            self._transaction(lambda conn: rate_limit.record(conn, counted, self._clock()))
            raise

    @reported
    def join(self, join_code: str, name: str, function: str, client: Client | None = None) -> Joined:
        """Take a seat: `function` is a function id or name of the flow (case-insensitive).

        `client` is who is asking (see `rate_limit`): wrong codes slow that client only.
        """
        name = inputs.name(name, "name")
        run = lambda conn: seats.join(conn, join_code, name, function, self._clock())  # noqa: E731
        return self._guarded(client, lambda: self._transaction(run))

    @reported
    def reclaim_facilitator(self, join_code: str, facilitator_key: str, client: Client | None = None) -> Joined:
        """A new facilitator token; the old one stops working (a lost or hijacked seat comes back).

        Wrong keys count for `client` and for the workshop (see `rate_limit`).
        """
        code = codes.normalize_code(join_code) if isinstance(join_code, str) else None
        run = lambda conn: seats.reclaim(conn, join_code, facilitator_key, self._clock())  # noqa: E731
        workshop = self._read(lambda conn: repo.workshop_by_code(conn, code), snapshot=False) if code else None
        return self._guarded(client, lambda: self._transaction(run), workshop.id if workshop else None)

    @reported
    def preview(self, join_code: str, client: Client | None = None) -> JoinPreview:
        """What a person opening the join link needs before taking a seat: the workshop and its functions.

        Counts as a code attempt: unknown codes feed the same rate limit as `join`.
        """
        return self._guarded(client, lambda: self._read(lambda conn: seats.preview(conn, join_code)))

    # ------------------------------------------------------------------ reading

    @reported
    def whoami(self, token: str) -> Participant:
        return self._read(lambda conn: reads.participant(_me(conn, token)))

    @reported
    def version(self, workshop_id: str) -> int:
        """The workshop's version: one indexed row, cheap enough to poll every few seconds."""

        def run(conn: Connection) -> int:
            value = repo.workshop_version(conn, workshop_id) if isinstance(workshop_id, str) else None
            if value is None:
                raise NotFound("This workshop no longer exists.")
            return value

        return self._read(run, snapshot=False)  # one row: no snapshot isolation needed

    @reported
    def state(self, token: str) -> WorkshopState:
        """Everything a page needs, consistent at one version, filtered for the viewer."""
        return self._read(lambda conn: reads.state(conn, _me(conn, token)))

    @reported
    def shared_state(self, token: str) -> WorkshopState:
        """As `state`, but the workshop is read once per version and shared by every seat that asks.

        Read-only: the flow and lists inside are shared with other seats' answers (see
        `room_cache`). For the view route, which only turns the state into JSON.
        """

        def run(conn: Connection) -> WorkshopState:
            me = _me(conn, token)
            ws = reads.workshop_of(conn, me)
            return reads.seat_state(ws, self._rooms.room(conn, ws), me.id)

        return self._read(run)

    @reported
    def state_for(self, workshop_id: str, token: str) -> WorkshopState:
        def run(conn: Connection) -> WorkshopState:
            me = _me(conn, token)
            if me.workshop_id != workshop_id:
                raise AccessDenied("You have not joined this workshop; join it with its code first.")
            return reads.state(conn, me)

        return self._read(run)

    @reported
    def history(self, token: str, limit: int = 200) -> list[EventOut]:
        """The event log, newest first. Before the reveal, other people's tags are hidden from participants."""
        if not isinstance(limit, int) or not 1 <= limit <= 100_000:
            raise InvalidInput("The history limit must be between 1 and 100,000 events.")
        return self._read(lambda conn: reads.history(conn, _me(conn, token), limit))

    @reported
    def contribution(self, token: str) -> Contribution:
        """Who has been heard: current proposals, comments and flow edits per participant and per function."""
        return self._read(lambda conn: reads.contribution(conn, _me(conn, token)))

    # ------------------------------------------------------------------ flow edits (see redesign/writes/decide.py)

    @reported
    def add_step(self, token: str, base_version: int, step: Step, after: str | None = None) -> int:
        """Insert a step (after the step `after`, else at the end). Returns the new version."""
        return self._decide(token, "edit_flow", cmd.AddItem(base_version, inputs.checked(Step, step, "step"), after))

    @reported
    def update_step(self, token: str, base_version: int, step: Step) -> int:
        """Replace the step with the same id."""
        return self._update_item(token, inputs.checked(Step, step, "step"), base_version)

    @reported
    def delete_step(self, token: str, base_version: int, step_id: str) -> int:
        """Delete a step with its hand-offs and its settled decision (also from the flow's scenarios).

        Proposals and comments on it are kept: proposals drop out of the state while
        the step is gone, comments show as `orphaned`; undoing the deletion brings
        back the step, its hand-offs and its decision, and the proposals reappear.
        """
        return self._decide(token, "edit_flow", cmd.DeleteStep(base_version, step_id))

    @reported
    def move_step(self, token: str, base_version: int, step_id: str, function: str, before: str | None) -> int:
        """Move a step to `function`'s lane and in the flow's order just before `before` (None: the end)."""
        return self._decide(token, "edit_flow", cmd.MoveStep(base_version, step_id, function, before))

    @reported
    def add_handoff(self, token: str, base_version: int, handoff: Handoff) -> int:
        return self._decide(token, "edit_flow", cmd.AddItem(base_version, inputs.checked(Handoff, handoff, "hand-off")))

    @reported
    def update_handoff(self, token: str, base_version: int, handoff: Handoff) -> int:
        return self._update_item(token, inputs.checked(Handoff, handoff, "hand-off"), base_version)

    @reported
    def delete_handoff(self, token: str, base_version: int, handoff_id: str) -> int:
        return self._decide(token, "edit_flow", cmd.DeleteHandoff(base_version, handoff_id))

    @reported
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
        return self._decide(token, "edit_flow", cmd.ReplaceFlow(base_version, inputs.checked(Flow, flow, "flow")))

    # ------------------------------------------------------------------ proposals and comments

    @reported
    def propose(self, token: str, step_id: str, tag: Tag | str, rationale: str = "") -> int:
        """Your tag for a step (one current proposal per person and step; it replaces your previous one)."""
        try:
            tag = Tag(tag)
        except ValueError as exc:
            raise InvalidInput(f'"{tag}" is not a tag; choose human, augment or automate.') from exc
        rationale = inputs.text(rationale, "rationale", MAX_RATIONALE)
        if not isinstance(step_id, str):
            raise missing_item("step", step_id)
        return self._contribute(token, contributions.NewProposal(step_id, tag.value, rationale))

    @reported
    def withdraw_proposal(self, token: str, step_id: str) -> int:
        return self._edit(token, "propose", lambda w: room_writes.withdraw(w, step_id))

    @reported
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
        inputs.reject(text_problem(text, "comment", MAX_COMMENT))
        if not isinstance(target_id, str):
            raise missing_item(target_kind, target_id)
        return self._contribute(token, contributions.NewComment(target_kind, target_id, kind, text))

    @reported
    def resolve_comment(self, token: str, comment_id: int, resolved: bool = True) -> int:
        """Mark a comment resolved (or open again); its author or the facilitator may."""
        return self._edit(token, "comment", lambda w: room_writes.resolve(w, comment_id, resolved))

    # ------------------------------------------------------------------ decisions and undo

    @reported
    def settle(self, token: str, decision: Decision) -> int:
        """Facilitator: the room's decision for a step (replaces an earlier one for that step)."""
        return self._decide(token, "settle", cmd.Settle(inputs.checked(Decision, decision, "decision")))

    @reported
    def unsettle(self, token: str, step_id: str) -> int:
        return self._decide(token, "settle", cmd.Unsettle(step_id))

    @reported
    def undo(self, token: str) -> int:
        """Facilitator: revert the newest flow edit or settle that is not undone yet (as new events)."""
        return self._decide(token, "control", cmd.Undo())

    # ------------------------------------------------------------------ facilitator controls

    def _control(self, token: str, kind: EventKind, column: str, value: Any) -> int:
        return self._edit(token, "control", lambda w: room_writes.control(w, kind, column, value))

    @reported
    def set_phase(self, token: str, phase: Phase | str) -> int:
        try:
            phase = Phase(phase)
        except ValueError as exc:
            raise InvalidInput(f'"{phase}" is not a phase; use one of: {", ".join(p.value for p in Phase)}.') from exc
        return self._control(token, EventKind.PHASE_SET, "phase", phase.value)

    @reported
    def set_timer(self, token: str, seconds: int | None) -> int:
        """Start a countdown of `seconds` (stored as its UTC end time); None clears it."""
        seconds = room_writes.timer_seconds(seconds)
        ends = None if seconds is None else self._clock() + timedelta(seconds=seconds)
        return self._control(token, EventKind.TIMER_SET, "timer_ends_at", ends)

    @reported
    def set_focus(self, token: str, step_id: str | None) -> int:
        return self._edit(token, "control", lambda w: room_writes.focus(w, step_id))

    @reported
    def set_lock(self, token: str, locked: bool) -> int:
        return self._control(token, EventKind.LOCK_SET, "locked", bool(locked))

    @reported
    def set_reveal(self, token: str, revealed: bool) -> int:
        return self._control(token, EventKind.REVEAL_SET, "revealed", bool(revealed))

    # ------------------------------------------------------------------ export, import, delete

    @reported
    def export_workshop(self, token: str) -> dict[str, Any]:
        """Facilitator: the whole workshop as a JSON-able dict (no tokens, keys or join code).

        `import_workshop(export)` re-creates it; exporting that again gives the same
        document except `workshop.id` and `exported_at` (and the facilitator's name
        if a different one was given to the import).
        """

        def run(conn: Connection) -> dict[str, Any]:
            me = _me(conn, token)
            ws = repo.workshop(conn, me.workshop_id)
            assert ws is not None
            inputs.reject(refusal("control", ws.phase, me.is_facilitator, ws.locked), AccessDenied)
            return transfer.export_document(conn, ws.id, exported_at=self._clock(), with_secrets=False)

        return self._read(run)

    @reported
    def import_workshop(self, doc: dict[str, Any], facilitator_name: str) -> CreatedWorkshop:
        """A new workshop from an export: new id, join code, facilitator key and token.

        The importer takes the exported facilitator's seat (renamed to
        `facilitator_name`); everyone else's seat is kept for the record and can be
        claimed by joining with the same name and function.
        """
        facilitator_name = inputs.name(facilitator_name, "facilitator's name")
        parsed, flow = transfer.parse_export(doc)
        return self._create(parsed, flow, facilitator_name, first_event=None)

    def _create(
        self, doc: WorkshopExport, flow: Flow, facilitator_name: str, *, first_event: EventKind | None
    ) -> CreatedWorkshop:
        return self._transaction(
            lambda conn: seats.create(conn, doc, flow, facilitator_name, first_event, self._clock())
        )

    @reported
    def delete_workshop(self, token: str, facilitator_key: str) -> dict[str, Any]:
        """Facilitator (token and key): delete the workshop; returns its final export, also kept in the archive."""

        run = lambda conn: seats.delete(conn, _me(conn, token), facilitator_key, self._clock())  # noqa: E731
        workshop_id = self._read(lambda conn: _me(conn, token).workshop_id)
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

    @reported
    def export_all(self) -> dict[str, Any]:
        """Every workshop with its secrets' hashes, plus the archive: a full backup document."""
        return self._read(lambda conn: backup_documents.export_all(conn, self._clock()))

    @reported
    def restore_backup(
        self, workshops: Sequence[Mapping[str, Any]], archived: Sequence[Mapping[str, Any]]
    ) -> tuple[list[str], list[str], int]:
        """Restore a backup in one transaction: every workshop and archived export, or nothing.

        Returns (restored ids, skipped ids, archived exports added); a workshop whose id
        or join code is already in this database is skipped, never overwritten. Every
        document is checked before anything is written, and a refusal names the
        workshop by its place in the backup.
        """
        parsed_all = backup_documents.parse_workshops(workshops)
        try:
            return self._transaction(lambda conn: backup_documents.restore(conn, parsed_all, archived, self._clock()))
        except sa.exc.IntegrityError as exc:
            raise InvalidInput(
                "The backup clashes with this database (a participant's token or a workshop is already here under "
                f"another id): {' '.join(str(exc.orig).split())[:200]}. Nothing was restored."
            ) from exc


def _versioned(body: Callable[[Write], None]) -> Callable[[Write], int]:
    """`body`, returning the version the write made (or the current one, if it changed nothing)."""

    def run(w: Write) -> int:
        body(w)
        return w.result_version

    return run


def _decided(command: cmd.Command) -> Callable[[Write], None]:
    """The write of `command`: decided by the write model, refused or carried out in SQL."""

    def body(w: Write) -> None:
        plan = decide(StoreSnapshot(w), command)
        if not isinstance(plan, Plan):
            raise refused(plan)
        carry_out(w, plan)

    return body
