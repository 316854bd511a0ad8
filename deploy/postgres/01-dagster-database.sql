-- Run once by the postgres image on an empty volume: Dagster's own storage lives in a
-- separate database beside the application database (POSTGRES_DB=bike_pipeline).
CREATE DATABASE dagster;
