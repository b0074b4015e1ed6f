"""Choose the Celery broker: Redis when REDIS_URL answers, else an embedded filesystem broker.

The embedded broker (kombu's filesystem transport) lets `make run` start a real worker on a
laptop with nothing else installed. It is single-machine only; production sets REDIS_URL.
"""

from pathlib import Path
from urllib.parse import urlparse

import redis


def redis_answers(url: str, timeout: float = 0.5) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        return bool(client.ping())
    except (redis.RedisError, OSError, ValueError):
        return False


def filesystem_broker_options(base: Path) -> dict:
    folders = {name: base / name for name in ("in", "processed", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folders["in"]),
        "data_folder_out": str(folders["in"]),
        "processed_folder": str(folders["processed"]),
        # Broadcast (remote control) messages; kombu's default is ./control in the cwd.
        "control_folder": str(folders["control"]),
        "store_processed": False,
    }


def describe(url: str) -> str:
    """The broker URL without credentials, for start-up banners and logs."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{host}{port}{parsed.path}"
