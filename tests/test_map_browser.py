"""The map page in a real browser: Debian's Chromium, headless, against a live CKAN."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest
import requests
from bs4 import BeautifulSoup

from .conftest import create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_site(ckan_config):
    """A CKAN process serving the test database and Solr core."""
    port = _free_port()
    ckan_cmd = os.path.join(os.path.dirname(sys.executable), "ckan")
    url = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()
    # CKAN's scripts load their translations from the site URL: it must be this server.
    env = dict(os.environ, CKAN_SITE_URL=url)
    proc = subprocess.Popen(
        [ckan_cmd, "-c", ckan_config["__file__"], "run", "-H", "127.0.0.1", "-p", str(port),
         "--disable-reloader"], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        for _ in range(120):
            try:
                if requests.get(url + "/api/3/action/status_show", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None:
                break
            time.sleep(0.5)
        else:
            pytest.fail("the CKAN test server did not start")
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail("the CKAN test server died: " + log.read().decode()[-2000:])
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _rendered_dom(url: str) -> BeautifulSoup:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed (devstack/stack.sh installs it)"
    with tempfile.TemporaryDirectory() as profile:
        out = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,1400",
             "--virtual-time-budget=15000", "--dump-dom", url],
            capture_output=True, timeout=120, check=True)
    return BeautifulSoup(out.stdout.decode("utf-8"), "html.parser")


def test_chromium_draws_the_regions_and_the_legend(live_site, crige_grand_est, crige_occitanie):
    create_record(crige_grand_est)
    create_record(crige_occitanie, name="ocsid", title="OCSID", region_code="76",
                  former_region_codes=["91"], ocs_characteristic="ocs_ge_improved")

    dom = _rendered_dom(live_site + "/ocsregistry/map")
    assert dom.select_one(".ocsregistry-map-page.ocsregistry-map-ready") is not None
    paths = {p["data-region"]: p for p in dom.select("path[data-region]")}
    assert len(paths) == 18  # 13 mainland regions and 5 overseas insets
    assert paths["44"]["fill"] == "#1b7837"  # region-specific OCS
    assert paths["76"]["fill"] == "#5aae61"  # improved OCS GE
    assert paths["53"]["fill"] == "#ffffff"  # nothing recorded
    assert all(dom.select_one(f'.ocsregistry-inset[data-code="{c}"] path') for c in ("01", "02", "03", "04", "06"))
    legend = dom.select(".ocsregistry-legend li")
    assert len(legend) == 9 and legend[0].select_one(".ocsregistry-swatch")

    pre = _rendered_dom(live_site + "/ocsregistry/map?era=pre-2016&embed=1")
    paths = {p["data-region"]: p for p in pre.select("path[data-region]")}
    assert len(paths) == 27
    assert paths["91"]["fill"] == "#5aae61" and paths["73"]["fill"] == "#ffffff"
    assert pre.select_one("header.masthead, .account-masthead") is None
