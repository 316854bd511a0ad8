"""The metadata of an asset's latest materialisation, for checks that verify what it reported."""

import dagster as dg


def latest_metadata(
    context: dg.AssetCheckExecutionContext, asset: dg.AssetKey
) -> "dict[str, object] | None":
    """Name -> plain value of the latest materialisation's metadata; None if never materialised."""
    event = context.instance.get_latest_materialization_event(asset)
    if event is None or event.asset_materialization is None:
        return None
    return {name: value.value for name, value in event.asset_materialization.metadata.items()}


def never_materialised(asset: dg.AssetKey) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=False, description=f"{asset.to_user_string()} was never materialised"
    )
