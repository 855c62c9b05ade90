"""The embedded Redis's watchdog: shut the server down once nobody has used it for a while.

A client that connects (a cron `publish-due`, a command) or stays connected (a worker) is use.
Between two looks, Redis's `total_connections_received` tells whether anyone came and went. The
shutdown keeps the append-only file: the next command restarts the server with its queue.

Run by `EmbeddedRedis` as `python -m balise.queue.idle SOCKET SECONDS`.
"""

from __future__ import annotations

import sys
import time

import redis

LOOK_EVERY = 10.0  # seconds


def watch(client: redis.Redis, idle_seconds: float, every: float = LOOK_EVERY) -> None:
    """Return when the server is gone, after shutting it down if it sat idle long enough."""
    seen: int | None = None
    quiet_since = time.monotonic()
    while True:
        try:
            info = client.info()
        except redis.ConnectionError:
            return  # stopped by `balise stop`, or crashed: nothing left to watch
        came, staying = int(info["total_connections_received"]), int(info["connected_clients"]) > 1
        if staying or came != seen:
            seen, quiet_since = came, time.monotonic()
        elif time.monotonic() - quiet_since >= idle_seconds:
            try:
                client.shutdown()  # SHUTDOWN writes the append-only file out before exiting
            except redis.ConnectionError:
                pass  # the server closes the connection as it goes down
            return
        time.sleep(every)


def main() -> None:
    socket, seconds = sys.argv[1], float(sys.argv[2])
    watch(redis.Redis(unix_socket_path=socket, socket_connect_timeout=5), seconds, min(LOOK_EVERY, seconds / 3))


if __name__ == "__main__":
    main()
