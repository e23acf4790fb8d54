"""The write queue's batches: proposals, comments and edits that share one transaction and one commit.

`GroupCommit` gathers the writes that arrive while a commit is under way; `save` saves
such a batch, settling every write with its own outcome (see its docstring).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from sqlalchemy.engine import Connection

from redesign.store import contributions
from redesign.store.errors import StoreError, StoreUnavailable
from redesign.store.flow_cache import FlowCache
from redesign.store.group_commit import Job

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Edit:
    """A write other than a proposal or comment, as the body of a transaction (see `save`)."""

    run: Callable[[Connection], Any]


Work: TypeAlias = contributions.Contribution | contributions.ItemUpdate | Edit
"""What the group commit batches (see `save`)."""


def save(
    jobs: list[Job[Work]],
    transaction: Callable[[Callable[[Connection], Any]], Any],
    clock: Callable[[], datetime],
    flows: FlowCache | None = None,
) -> None:
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
    batched = [job for job in jobs if not isinstance(job.work, Edit)]

    def run(conn: Connection) -> dict[int, Any]:
        outcomes: dict[int, Any] = {}
        edits = [job for job in jobs if isinstance(job.work, Edit)]
        if batched:
            works = [job.work for job in batched if not isinstance(job.work, Edit)]
            saved = contributions.save(conn, works, clock(), flows)
            for job, outcome in zip(batched, saved, strict=True):
                if outcome is contributions.DECLINED:
                    edits.append(job)
                else:
                    outcomes[id(job)] = outcome
        for job in edits:
            edit = job.work.fallback if isinstance(job.work, contributions.ItemUpdate) else job.work
            assert isinstance(edit, Edit)
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
        outcomes = transaction(run)
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
            save([job], transaction, clock, flows)
        return
    for job in jobs:
        outcome = outcomes[id(job)]
        if isinstance(outcome, StoreError):
            job.fail(outcome)
        else:
            job.succeed(outcome)
