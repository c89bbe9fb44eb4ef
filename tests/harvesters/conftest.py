"""A second registry site to harvest from, and a scripted source for faults.

``source_site`` is a real CKAN running this extension in its own process, with
its own PostgreSQL database, Solr core and Redis db (``devstack/stack.sh``
creates them), served over HTTP on a loopback port.
"""
from __future__ import annotations

import http.server
import json
import os
import re
import threading
import time
from typing import Any, Callable

import pytest
import redis
import requests
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import call_action

from ..conftest import record
from ..live_site import ckan_command, serve

SOURCE_DB = "ckan_test_source"
SOURCE_REDIS_DB = 3


class SourceSite:
    def __init__(self, url: str, token: str):
        self.url = url
        self.token = token

    def action(self, action_name: str, **data: Any) -> Any:
        response = requests.post(f"{self.url}/api/3/action/{action_name}", json=data,
                                 headers={"Authorization": self.token}, timeout=120)
        body = response.json()
        assert body.get("success"), f"{action_name} at the source site failed: {body.get('error')}"
        return body["result"]

    def reset(self) -> None:
        found = self.action("package_search", q="*:*", rows=1000, include_private=True,
                            include_drafts=True)
        for dataset in found["results"]:
            self.action("dataset_purge", id=dataset["id"])
        for org in self.action("organization_list"):
            self.action("organization_purge", id=org)

    def create_crige(self, name: str, regions: list[str]) -> dict[str, Any]:
        return self.action("organization_create", name=name, title=name.upper(),
                           regions_covered=regions)

    def create_record(self, org: dict[str, Any], **overrides: Any) -> dict[str, Any]:
        return self.action("package_create", **record(owner_org=org["id"], **overrides))


def _with_name(url: str, name: str) -> str:
    return re.sub(r"/[^/]*$", "/" + name, url)


@pytest.fixture(scope="session")
def _source_process():
    config = tk.config
    ini = config["__file__"]
    redis_url = _with_name(config["ckan.redis.url"], str(SOURCE_REDIS_DB))
    env = dict(os.environ,
               CKAN_SQLALCHEMY_URL=_with_name(config["sqlalchemy.url"], SOURCE_DB),
               CKAN_SOLR_URL=_with_name(config["solr_url"], SOURCE_DB),
               CKAN_REDIS_URL=redis_url)
    redis.Redis.from_url(redis_url).flushdb()
    ckan_command(ini, env, "db", "clean", "--yes")
    ckan_command(ini, env, "db", "init")
    ckan_command(ini, env, "db", "pending-migrations", "--apply")
    ckan_command(ini, env, "search-index", "clear")
    ckan_command(ini, env, "user", "add", "source-admin", "email=admin@source.invalid",
                 "password=source-admin-password")
    ckan_command(ini, env, "sysadmin", "add", "source-admin")
    token = ckan_command(ini, env, "user", "token", "add", "source-admin", "tests")
    token = token.strip().splitlines()[-1].strip()
    with serve(ini, env) as url:
        yield SourceSite(url, token)


@pytest.fixture
def source_site(_source_process):
    """The second registry site, emptied for each test."""
    _source_process.reset()
    return _source_process


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


def site_context() -> dict:
    return {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}


def harvest_source(url: str, owner_org: str, config: dict | None = None,
                   name: str = "registre-source", source_type: str = "ocsregistry") -> dict:
    """A harvest source created through the action, as the site user."""
    return call_action("harvest_source_create", context=site_context(), name=name,
                       title=f"Source {name}", url=url, source_type=source_type,
                       owner_org=owner_org, config=json.dumps(config) if config else "")
