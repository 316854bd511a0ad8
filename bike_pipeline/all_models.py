"""Imports every model module, so `Base.metadata` knows every table: for comparing the
models with the Alembic revisions (`bike_pipeline_tests/db/test_migrations.py`, `bike-pipeline
db revision`). Above `db/`: it imports the domain packages that own some tables."""

import bike_pipeline.db.models  # noqa: F401
import bike_pipeline.graph.models  # noqa: F401
import bike_pipeline.privacy.models  # noqa: F401
import bike_pipeline.simulation.store.models  # noqa: F401
