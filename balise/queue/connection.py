"""The Redis connection RQ uses: `REDIS_URL`, or the data directory's embedded server."""

from __future__ import annotations

from functools import cache

import redis

from balise.config import get_settings
from balise.errors import ConfigError
from balise.masking import mask_url_password
from balise.queue.embedded import EmbeddedRedis


@cache
def get_redis() -> redis.Redis:
    settings = get_settings()
    if not settings.redis_url:
        return EmbeddedRedis(settings.data_path, settings.embedded_redis_idle).ensure_running()
    try:
        connection = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=5)
    except ValueError as exc:
        raise ConfigError("queue.bad_url", url=mask_url_password(settings.redis_url)) from exc
    try:
        connection.ping()
    except redis.RedisError as exc:
        raise ConfigError(
            "queue.unreachable", url=mask_url_password(settings.redis_url), detail=mask_url_password(str(exc))
        ) from exc
    return connection


def reset_redis() -> None:
    get_redis.cache_clear()
