"""One module per revision; Alembic reads them by file, this file only makes them package data."""
