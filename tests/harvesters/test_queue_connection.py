"""ckanext-harvest's consumers wait on an empty queue without dying (redis-py 6+
gives connections a 5-second read timeout by default)."""
import threading
import time

import pytest
from ckanext.harvest import queue


@pytest.mark.usefixtures("with_plugins")
def test_a_consumer_waits_on_an_empty_queue_past_the_default_read_timeout():
    connection = queue.get_connection()
    assert connection.connection_pool.connection_kwargs.get("socket_timeout") is None
    key = "ocsregistry-test-empty-queue-%d" % time.time_ns()
    outcome = {}

    def wait():
        try:
            outcome["value"] = connection.blpop(key)  # no timeout: as the consumers wait
        except Exception as error:  # noqa: BLE001 - what the consumer would die of
            outcome["error"] = error

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    waiter.join(6.5)  # past redis-py's 5 s default socket timeout
    assert "error" not in outcome, outcome
    assert waiter.is_alive()
    queue.get_connection().rpush(key, "job")  # work arrives: the wait ends with it
    waiter.join(10)
    assert outcome.get("value") == (key, "job")
