"""Reject ids in a canonical order, whatever order the ingest steps ran in.

Dagster may run the `customers` and `bikes` steps of one dump in either order (or at once:
the writer lock then serialises them), and `core.ingest_rejects.reject_id` is an identity:
whichever step committed first would take the first ids. So after storing its rejects, an
ingest (still in its transaction, under the writer lock) renumbers the rejects by

    (round, table, line)

where a file's round is how many files of the same table have rejects stored before it
(the n-th customers file and the n-th bikes file form round n: one dump), tables go in
`SPECS` order (customers first, as `bike-pipeline ingest` runs them) and lines in file
order. The same dump thus always gives the same ids; ids of the rejects of the last round
may move while that round's other file is still to come. Nothing refers to `reject_id`.
"""

from __future__ import annotations

from typing import Any

# Temporarily negated ids keep the primary key unique while rows move.
_RENUMBER = """
WITH files AS (
    SELECT table_name, file_sha256, min(rejected_at) AS first_at, min(reject_id) AS first_id
    FROM core.ingest_rejects GROUP BY table_name, file_sha256
), rounds AS (
    SELECT table_name, file_sha256,
           row_number() OVER (PARTITION BY table_name ORDER BY first_at, first_id) AS round
    FROM files
), ranks AS (
    SELECT * FROM unnest(%(tables)s::text[]) WITH ORDINALITY AS t(table_name, rank)
), canonical AS (
    SELECT r.reject_id,
           row_number() OVER (
               ORDER BY f.round, coalesce(k.rank, 1000), r.table_name, r.file_sha256,
                        r.line_number
           ) AS new_id
    FROM core.ingest_rejects r
    JOIN rounds f USING (table_name, file_sha256)
    LEFT JOIN ranks k USING (table_name)
)
UPDATE core.ingest_rejects t SET reject_id = -c.new_id
FROM canonical c WHERE t.reject_id = c.reject_id AND t.reject_id <> c.new_id
"""


def renumber_rejects(cursor: Any, tables: list[str]) -> None:
    """Give every reject its canonical id (see the module docstring); `tables` are the
    qualified table names in their canonical order. The caller holds the writer lock."""
    cursor.execute(_RENUMBER, {"tables": tables})
    cursor.execute("UPDATE core.ingest_rejects SET reject_id = -reject_id WHERE reject_id < 0")
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence('core.ingest_rejects', 'reject_id'), "
        "coalesce(max(reject_id), 0) + 1, false) FROM core.ingest_rejects"
    )
