"""The workshop store: durable multi-user state on SQLite (default) or PostgreSQL.

Only this package imports SQLAlchemy/psycopg. Pages use `WorkshopService`
(`redesign.store.service`), its models (`redesign.store.schemas`) and its errors
(`redesign.store.errors`).
"""
