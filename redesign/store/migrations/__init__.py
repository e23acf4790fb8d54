"""Alembic migrations of the workshop store; run them with `redesign.store.migrate.upgrade`."""
