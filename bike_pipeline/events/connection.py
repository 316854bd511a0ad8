"""A Redis client for the relay and the listener that fails fast instead of retrying.

redis-py's default retries back off for seconds on a refused connection; the relay loop
and the listener have their own reconnect policy, and an outage should surface at once.
"""

from __future__ import annotations

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

CONNECT_TIMEOUT_S = 1.0
# A batch's script takes tens of milliseconds: a reply this late means a frozen server.
REPLY_TIMEOUT_S = 30.0


def fail_fast_client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(
        redis_url,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=REPLY_TIMEOUT_S,
        retry=Retry(NoBackoff(), 0),
    )
