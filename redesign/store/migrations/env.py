"""Alembic environment, driven from code (no alembic.ini).

`redesign.store.migrate.upgrade()` passes an open connection in
`config.attributes["connection"]`; the migration runs inside that connection's
transaction, so on PostgreSQL the advisory lock taken there covers it.
"""

from __future__ import annotations

from alembic import context

from redesign.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through redesign.store.migrate.upgrade(), which supplies the connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
