"""The schema as SQLAlchemy Core tables (the migration in `migrations/versions` creates it).

One row per thing people change at the same time, so concurrent edits touch
different rows: the flow is split into `flow_items` (its header, each function,
role, data item, step, hand-off and scenario); proposals are one row per
participant and step; comments one row each. `workshops.version` is the number
pages poll; every write bumps it in its own transaction. The per-workshop
counters (`participant_seq`, `comment_seq`, `event_seq`) live on the workshop row
that every write locks anyway, so numbering needs no extra lock.
JSON is stored as text (the exact `model_dump(mode="json")`), portable across
SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData()


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


workshops = sa.Table(
    "workshops",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("goal", sa.Text, nullable=False, default=""),
    sa.Column("join_code", sa.String(16), nullable=False),
    sa.Column("facilitator_key_hash", sa.String(64), nullable=False),
    sa.Column("phase", sa.String(16), nullable=False),
    sa.Column("locked", sa.Boolean, nullable=False, default=False),
    sa.Column("revealed", sa.Boolean, nullable=False, default=False),
    sa.Column("focus_step", sa.String(100)),
    sa.Column("timer_ends_at", UTCDateTime),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("participant_seq", sa.Integer, nullable=False, default=0),
    sa.Column("comment_seq", sa.Integer, nullable=False, default=0),
    sa.Column("event_seq", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("join_code", name="uq_workshops_join_code"),
)


def _workshop_fk() -> sa.ForeignKey:
    return sa.ForeignKey("workshops.id", ondelete="CASCADE")


flow_items = sa.Table(
    "flow_items",
    metadata,
    sa.Column("workshop_id", sa.String(32), _workshop_fk(), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),  # flow, function, role, data_item, step, handoff, scenario
    sa.Column("item_id", sa.String(100), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)

participants = sa.Table(
    "participants",
    metadata,
    sa.Column("workshop_id", sa.String(32), _workshop_fk(), primary_key=True),
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("function", sa.String(100), nullable=False),
    sa.Column("is_facilitator", sa.Boolean, nullable=False, default=False),
    sa.Column("token_hash", sa.String(64)),  # NULL: an imported seat nobody holds yet
    sa.Column("joined_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("token_hash", name="uq_participants_token_hash"),
)


def _participant_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workshop_id", "participant_id"], ["participants.workshop_id", "participants.id"], ondelete="CASCADE"
    )


proposals = sa.Table(
    "proposals",
    metadata,
    sa.Column("workshop_id", sa.String(32), primary_key=True),
    sa.Column("step_id", sa.String(100), primary_key=True),
    sa.Column("participant_id", sa.String(40), primary_key=True),
    sa.Column("tag", sa.String(16), nullable=False),
    sa.Column("rationale", sa.Text, nullable=False, default=""),
    sa.Column("at", UTCDateTime, nullable=False),
    _participant_fk(),
)

comments = sa.Table(
    "comments",
    metadata,
    sa.Column("workshop_id", sa.String(32), primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("participant_id", sa.String(40), nullable=False),
    sa.Column("target_kind", sa.String(16), nullable=False),
    sa.Column("target_id", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("resolved", sa.Boolean, nullable=False, default=False),
    sa.Column("at", UTCDateTime, nullable=False),
    _participant_fk(),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("workshop_id", sa.String(32), _workshop_fk(), primary_key=True),
    sa.Column("step_id", sa.String(100), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("settled_by", sa.String(40)),
    sa.Column("at", UTCDateTime, nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("workshop_id", sa.String(32), _workshop_fk(), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor_id", sa.String(40)),  # no FK: the log outlives seats and names are copied in
    sa.Column("actor_name", sa.String(200), nullable=False),
    sa.Column("actor_function", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("target", sa.String(140), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("before", sa.Text),  # JSON or NULL
    sa.Column("after", sa.Text),
    sa.Column("position", sa.Integer),  # where a deleted item stood, so undo can put it back
    sa.Column("undoes", sa.Integer),  # for undo events: the version they reverted
    sa.Column("layout", sa.Text),  # JSON {item id: position} of a kind's rows before this write moved them
    sa.Index("ix_events_workshop_version", "workshop_id", "version"),
)

archived_workshops = sa.Table(
    "archived_workshops",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workshop_id", sa.String(32), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("archived_at", UTCDateTime, nullable=False),
    sa.Column("export", sa.Text, nullable=False),
)

failed_attempts = sa.Table(
    "failed_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # "browser:<hash>", "address:<hash>" or "key:<workshop id>": see rate_limit; addresses are stored hashed
    sa.Column("bucket", sa.String(64), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_failed_attempts_bucket_at", "bucket", "at"),
    sa.Index("ix_failed_attempts_at", "at"),
)
