"""bike_pipeline: a Dagster-orchestrated data platform for a bike-rental company."""
