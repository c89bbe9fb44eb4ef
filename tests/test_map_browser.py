"""The map page in a real browser: Debian's Chromium, headless, against a live CKAN."""
from __future__ import annotations

import shutil
import subprocess
import tempfile

import pytest
from bs4 import BeautifulSoup

from .conftest import create_record
from .live_site import serve

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def live_site(ckan_config):
    """A CKAN process serving the test database and Solr core."""
    with serve(ckan_config["__file__"]) as url:
        yield url


def _rendered_dom(url: str) -> BeautifulSoup:
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("Debian's chromium is not installed (devstack/stack.sh installs it)")
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
    # improved OCS GE on former Languedoc-Roussillon only: hatched, not a plain colour
    assert paths["76"]["fill"].startswith("url(#ocsregistry-hatch-")
    assert dom.select_one(f'pattern#{paths["76"]["fill"][5:-1]}') is not None
    assert paths["53"]["fill"] == "#ffffff"  # nothing recorded
    assert all(dom.select_one(f'.ocsregistry-inset[data-code="{c}"] path') for c in ("01", "02", "03", "04", "06"))
    legend = dom.select(".ocsregistry-legend li[data-status]")
    assert len(legend) == 9 and legend[0].select_one(".ocsregistry-swatch")

    pre = _rendered_dom(live_site + "/ocsregistry/map?era=pre-2016&embed=1")
    paths = {p["data-region"]: p for p in pre.select("path[data-region]")}
    assert len(paths) == 27
    assert paths["91"]["fill"] == "#5aae61" and paths["73"]["fill"] == "#ffffff"
    assert pre.select_one("header.masthead, .account-masthead") is None
