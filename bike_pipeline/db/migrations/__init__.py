"""Alembic revisions of the application database (run by `bike_pipeline.db.migrate`).

`versions/` holds one revision per schema change, numbered `0001`, `0002`, ...; the README's
"Upgrading" section says how to add one.
"""
