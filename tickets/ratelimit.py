"""A fixed-window counter in the cache (shared through Redis in scaled mode)."""

import hashlib
import time

from django.core.cache import cache

WINDOW_SECONDS = 3600


def too_many(scope: str, key: str, limit: int, window: int = WINDOW_SECONDS) -> bool:
    """Count one attempt for (scope, key); True once the limit for this window is passed."""
    bucket = int(time.time() // window)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # no raw emails/IPs as cache keys
    cache_key = f"ratelimit:{scope}:{digest}:{bucket}"
    # add() then incr(): atomic on Redis, and correct within one process on local memory.
    cache.add(cache_key, 0, timeout=window + 60)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window + 60)
        count = 1
    return count > limit
