"""The privacy tables, for `bike_pipeline.all_models`: `bi.events` and `analytics.customers`."""

from bike_pipeline.privacy.analytics_models import AnalyticsCustomer
from bike_pipeline.privacy.bi_models import BiEvent

__all__ = ["AnalyticsCustomer", "BiEvent"]
