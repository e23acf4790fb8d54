"""The first schema: workshops, flow items, participants, proposals, comments, decisions, events, archive.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "workshops",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("goal", sa.Text, nullable=False),
        sa.Column("join_code", sa.String(16), nullable=False),
        sa.Column("facilitator_key_hash", sa.String(64), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("locked", sa.Boolean, nullable=False),
        sa.Column("revealed", sa.Boolean, nullable=False),
        sa.Column("focus_step", sa.String(100)),
        sa.Column("timer_ends_at", TS),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("participant_seq", sa.Integer, nullable=False),
        sa.Column("comment_seq", sa.Integer, nullable=False),
        sa.Column("event_seq", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("join_code", name="uq_workshops_join_code"),
    )
    op.create_table(
        "flow_items",
        sa.Column("workshop_id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("item_id", sa.String(100), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops.id"], ondelete="CASCADE"),
    )
    op.create_table(
        "participants",
        sa.Column("workshop_id", sa.String(32), primary_key=True),
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("function", sa.String(100), nullable=False),
        sa.Column("is_facilitator", sa.Boolean, nullable=False),
        sa.Column("token_hash", sa.String(64)),
        sa.Column("joined_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("token_hash", name="uq_participants_token_hash"),
    )
    op.create_table(
        "proposals",
        sa.Column("workshop_id", sa.String(32), primary_key=True),
        sa.Column("step_id", sa.String(100), primary_key=True),
        sa.Column("participant_id", sa.String(40), primary_key=True),
        sa.Column("tag", sa.String(16), nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id", "participant_id"], ["participants.workshop_id", "participants.id"], ondelete="CASCADE"
        ),
    )
    op.create_table(
        "comments",
        sa.Column("workshop_id", sa.String(32), primary_key=True),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("participant_id", sa.String(40), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("resolved", sa.Boolean, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id", "participant_id"], ["participants.workshop_id", "participants.id"], ondelete="CASCADE"
        ),
    )
    op.create_table(
        "decisions",
        sa.Column("workshop_id", sa.String(32), primary_key=True),
        sa.Column("step_id", sa.String(100), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("settled_by", sa.String(40)),
        sa.Column("at", TS, nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops.id"], ondelete="CASCADE"),
    )
    op.create_table(
        "events",
        sa.Column("workshop_id", sa.String(32), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor_id", sa.String(40)),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("actor_function", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("target", sa.String(140), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.Column("position", sa.Integer),
        sa.Column("undoes", sa.Integer),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_events_workshop_version", "events", ["workshop_id", "version"])
    op.create_table(
        "archived_workshops",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workshop_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("archived_at", TS, nullable=False),
        sa.Column("export", sa.Text, nullable=False),
    )
    op.create_index("ix_archived_workshops_workshop_id", "archived_workshops", ["workshop_id"])


def downgrade() -> None:
    op.drop_table("archived_workshops")
    op.drop_table("events")
    op.drop_table("decisions")
    op.drop_table("comments")
    op.drop_table("proposals")
    op.drop_table("participants")
    op.drop_table("flow_items")
    op.drop_table("workshops")
