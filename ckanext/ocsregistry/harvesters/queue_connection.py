"""ckanext-harvest's Redis queue connections without a read timeout.

ckanext-harvest 1.6.3's consumers wait for work with a blocking ``BLPOP``
without timeout. redis-py 6 and later (CKAN 2.12 pins 8) give every connection
a 5-second socket timeout, which aborts that wait: on an idle queue the gather
and fetch consumers die every five seconds (supervisor restarts them, and a
job queued meanwhile waits). The harvest queue's connections get no read
timeout, as with the redis-py 5 that CKAN 2.11 pins.
"""
from __future__ import annotations

from typing import Any, Callable

__all__ = ["install"]

_installed = False


def _without_read_timeout(connect: Callable[[], Any]) -> Callable[[], Any]:
    def get_connection_redis() -> Any:
        connection = connect()
        connection.connection_pool.connection_kwargs["socket_timeout"] = None
        return connection
    get_connection_redis.__doc__ = connect.__doc__
    return get_connection_redis


def install() -> None:
    """Wrap ``ckanext.harvest.queue.get_connection_redis`` once (its callers
    look the name up in that module at each call)."""
    global _installed
    if _installed:
        return
    from ckanext.harvest import queue

    queue.get_connection_redis = _without_read_timeout(queue.get_connection_redis)
    _installed = True
