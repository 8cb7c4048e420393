"""Alembic migration environment and scripts (see `maild.database.migrate`)."""
