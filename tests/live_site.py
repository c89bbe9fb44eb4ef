"""CKAN served by a real ``ckan run`` process on a loopback port, for tests over HTTP."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from typing import Iterator, Optional

import pytest
import requests

CKAN = os.path.join(os.path.dirname(sys.executable), "ckan")
GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")
# the production settings and WSGI entry point `make run` serves with
PRODUCTION = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "devstack", "production")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ckan_command(ini: str, env: dict[str, str], *args: str) -> str:
    """Run ``ckan -c INI ARGS`` and return its output; fail the test with it on error."""
    done = subprocess.run([CKAN, "-c", ini, *args], env=env, capture_output=True, text=True,
                          timeout=300)
    if done.returncode:
        pytest.fail(f"ckan {' '.join(args)} failed:\n{done.stdout[-1500:]}{done.stderr[-3000:]}")
    return done.stdout


@contextlib.contextmanager
def serve(ini: str, env: Optional[dict[str, str]] = None, port: Optional[int] = None,
          workers: int = 0, site_url: Optional[str] = None) -> Iterator[str]:
    """Serve CKAN with ``ini`` (and ``env`` overrides) and yield its URL until the block ends.

    ``workers``: serve with gunicorn and that many worker processes, through
    the production settings and entry point (devstack/production), instead of
    ``ckan run``. ``site_url``: the site's public address, when several nodes
    serve one site (default: this server's).
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    # CKAN's scripts load their translations from the site URL: it must be a server of the site.
    env = dict(env or os.environ, CKAN_SITE_URL=site_url or url)
    log = tempfile.TemporaryFile()
    if workers:
        env.update(CKAN_INI=os.path.abspath(ini), OCSREGISTRY_WEB_BIND=f"127.0.0.1:{port}",
                   OCSREGISTRY_WEB_WORKERS=str(workers))
        command = [GUNICORN, "--config", os.path.join(PRODUCTION, "gunicorn.conf.py"),
                   "--chdir", PRODUCTION]
    else:
        command = [CKAN, "-c", ini, "run", "-H", "127.0.0.1", "-p", str(port),
                   "--disable-reloader"]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        for _ in range(240):
            try:
                if requests.get(url + "/api/3/action/status_show", timeout=2).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or (gunicorn) listening while its workers load
            if proc.poll() is not None:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"the CKAN test server did not answer at {url} within 120 s")
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail("the CKAN test server died: " + log.read().decode()[-2000:])
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def csrf_checked_ini(base_ini: str, directory: str, extra: str = "") -> str:
    """An ini file: ``base_ini`` with CSRF checked everywhere, as ``make run``'s
    site (``WTF_CSRF_ENABLED = true``, ``ckan.csrf_protection.ignore_extensions
    = false``), which the session app cannot be (test.ini turns CSRF off when
    the app is built), plus the ``extra`` settings. Returns its path."""
    base = os.path.abspath(base_ini)
    with open(base, encoding="utf-8") as f:
        # `ckan -c` reads the logging sections from the file it is given
        logging_sections = f.read().partition("[loggers]")[2]
    ini = os.path.join(directory, "csrf.ini")
    with open(ini, "w", encoding="utf-8") as f:
        f.write("[app:main]\n"
                f"use = config:{base}\n"
                "WTF_CSRF_ENABLED = true\n"
                "ckan.csrf_protection.ignore_extensions = false\n"
                f"{extra}\n\n"
                "[loggers]" + logging_sections)
    return ini
