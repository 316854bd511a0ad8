"""The single owner of what the simulation persists in PostgreSQL.

`lock` (one writer at a time), `progress` (the run's identity, its scenario by content and
the last committed tick), `baseline` (the dump state `--reset` returns to, which ingestion
keeps current while a simulation holds the live state), `world_load` (the world at the
last committed tick or at tick 0, one function for both), `tick_writer` (committing whole
ticks), `outbox` (what the relay reads, restores and deletes of the events the tick writer
queued), `writer` (open, resume, commit), `reset`, `scenario_content` (the run's scenario
by content and hash) and `report_world` (the report's own runs, in a database beside the
live one).
"""
