"""Ingest every dump dropped into `BIKE_PIPELINE_HOME/inbox/`, once per file content.

The run key is the file's SHA-256, so a file is ingested once however often it is
seen. A file is recognised as customers or bikes by its header. On a later tick, once
its run has finished, the file moves to `inbox/processed/` or `inbox/failed/`; a file
that is no dump at all moves to `failed/` at once. The runs themselves are the state:
no cursor to lose.
"""

import dagster as dg
from dagster._core.storage.tags import RUN_KEY_TAG

from bike_pipeline.dagster_home import foreign_instance_skip, sensor_default_status
from bike_pipeline.defs.ingest.jobs import ingest_dump
from bike_pipeline.ingest.inbox import file_sha256, move_done, waiting_files
from bike_pipeline.settings import Settings

INBOX_FILE_TAG = "bike_pipeline/inbox_file"


@dg.sensor(
    job=ingest_dump,
    minimum_interval_seconds=10,
    default_status=sensor_default_status(),
    description="Ingests each CSV dump dropped into BIKE_PIPELINE_HOME/inbox once, then "
    "moves it to inbox/processed or inbox/failed.",
)
def inbox_dumps(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    if (skip := foreign_instance_skip(context.instance)) is not None:
        return skip
    from bike_pipeline.ingest.errors import UnusableInputFile
    from bike_pipeline.ingest.pipeline import detect_kind

    requests: list[dg.RunRequest] = []
    for path in waiting_files(Settings.from_env().inbox_dir):
        key = file_sha256(path)
        runs = context.instance.get_runs(dg.RunsFilter(tags={RUN_KEY_TAG: key}), limit=1)
        if runs:
            if runs[0].is_finished:
                target = move_done(path, runs[0].is_success, key)
                context.log.info(f"{path.name}: run {runs[0].run_id} done, moved to {target}")
            continue
        try:
            kind = detect_kind(path)
        except UnusableInputFile as error:
            target = move_done(path, False, key)
            context.log.warning(f"{error}; moved to {target}")
            continue
        requests.append(
            dg.RunRequest(
                run_key=key,
                run_config={"ops": {kind: {"config": {"path": str(path)}}}},
                asset_selection=[dg.AssetKey(kind)],
                tags={INBOX_FILE_TAG: path.name},
            )
        )
    return dg.SensorResult(run_requests=requests)
