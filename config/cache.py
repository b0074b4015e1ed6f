"""What a cache outage raises, for the code that can carry on without the cache.

With Redis configured, django-redis wraps a lost connection in ``ConnectionInterrupted``; a few
calls raise redis-py's own errors. The local-memory cache of a first run never raises them.
"""

from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

CACHE_UNAVAILABLE = (ConnectionInterrupted, RedisError)
