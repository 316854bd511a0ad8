from datetime import date

import sqlalchemy as sa

from bike_pipeline.privacy import copy_rows as module
from bike_pipeline.privacy.copy_rows import copy_rows


def test_awkward_text_nulls_and_types_survive_the_copy(engine: sa.Engine, monkeypatch) -> None:
    monkeypatch.setattr(module, "BATCH_ROWS", 2)  # several batches in one transaction
    rows = [
        (1, "tab\there", None, date(2020, 1, 2), True),
        (2, "line\nbreak\r\nand \\ backslash \\N", "", date(1999, 12, 31), False),
        (3, "plain", "Ünïcode ✓", None, None),
    ]
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TEMPORARY TABLE t (i int, a text, b text, d date, f bool)"))
        written = copy_rows(conn, "t", ("i", "a", "b", "d", "f"), iter(rows))
        back = [tuple(r) for r in conn.execute(sa.text("SELECT * FROM t ORDER BY i"))]
    assert written == 3
    assert back == rows
