"""The second registry site, emptied for each harvest test, and a scripted
source for faults.

``source_site`` is a real CKAN running this extension in its own process, with
its own PostgreSQL database, Solr core and Redis db (``devstack/stack.sh``
creates them), served over HTTP on a loopback port (``source_process`` in the
root conftest).
"""
from __future__ import annotations

import http.server
import json
import threading
import time
from typing import Any, Callable

import pytest

# the second site itself lives in the root conftest (the confidentiality matrix
# harvests from it too); harvest tests import these helpers from here
from ..conftest import SourceSite, harvest_source, record, site_context  # noqa: F401

@pytest.fixture
def source_site(source_process):
    """The second registry site, emptied for each test."""
    source_process.reset()
    return source_process


class ScriptedSource:
    """An HTTP server on loopback answering every request with ``respond(path)``.

    ``respond`` returns (status, content type, body, delay in seconds).
    """

    def __init__(self, respond: Callable[[str], tuple[int, str, str, float]]):
        outer = self
        self.respond = respond
        self.requests: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                outer.requests.append(self.path)
                status, content_type, body, delay = outer.respond(self.path)
                time.sleep(delay)
                data = body.encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the harvester gave up waiting: that is the point of "slow"

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted_source():
    servers: list[ScriptedSource] = []

    def start(respond):
        server = ScriptedSource(respond)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def package_search_body(results: list[dict[str, Any]]) -> str:
    return json.dumps({"success": True, "result": {"count": len(results), "results": results}})


