import json
from pathlib import Path

from bike_pipeline.generate import DEFECTS_FILE_NAME, read_defects_file, write_dump


def test_sidecar_lists_every_defect_of_both_files(tmp_path: Path) -> None:
    dump = write_dump(tmp_path, customers=400, bikes=200, seed=8, defect_rate=0.1)
    assert dump.defects_path == tmp_path / DEFECTS_FILE_NAME
    listed = read_defects_file(dump.defects_path)
    assert listed == {"customers.csv": dump.customers.defects, "bikes.csv": dump.bikes.defects}
    document = json.loads(dump.defects_path.read_text(encoding="utf-8"))
    assert document["generator"] == {"customers": 400, "bikes": 200, "seed": 8, "defect_rate": 0.1}
    customers = document["files"]["customers.csv"]
    assert customers["rows"] == 400
    assert sum(customers["defect_counts"].values()) == len(customers["defects"]) == 40
