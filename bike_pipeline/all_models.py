"""Imports every model module, so `Base.metadata` knows every table before `create_all`."""

import bike_pipeline.db.models  # noqa: F401
import bike_pipeline.graph.models  # noqa: F401
import bike_pipeline.privacy.models  # noqa: F401
import bike_pipeline.simulation.store.models  # noqa: F401
