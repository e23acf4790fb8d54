"""failed_attempts: wrong join codes and facilitator keys, per client and per workshop, seen by every replica.

Revision ID: 0003_failed_attempts
Revises: 0002_event_layout
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_failed_attempts"
down_revision = "0002_event_layout"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "failed_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("bucket", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_failed_attempts_bucket_at", "failed_attempts", ["bucket", "at"])
    op.create_index("ix_failed_attempts_at", "failed_attempts", ["at"])


def downgrade() -> None:
    op.drop_index("ix_failed_attempts_at", table_name="failed_attempts")
    op.drop_index("ix_failed_attempts_bucket_at", table_name="failed_attempts")
    op.drop_table("failed_attempts")
