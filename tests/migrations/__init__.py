"""Alembic: one head, a round trip on a database holding data, models and migrations agree."""
