"""The registry home: its indicators action, its page (French, English, embedded,
as the site's home), its CSV, and the map as SVG and PNG."""
from __future__ import annotations

import csv
import datetime
import io
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from ckan.tests.helpers import call_action
from PIL import Image

from ckanext.ocsregistry import national_map
from ckanext.ocsregistry.search import query

from .conftest import create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SVG = "{http://www.w3.org/2000/svg}"
HOME_OPTION = "ckanext.ocsregistry.home_as_site_home"
THIS_YEAR = datetime.date.today().year


@pytest.fixture
def registry(crige_grand_est, crige_occitanie):
    # regional_specific at 1:2 500, both dimensions, latest available 2019
    create_record(crige_grand_est)
    # OCS GE: large scale; a recent vintage and a planned one
    create_record(crige_occitanie, name="ocs-ge-occitanie", title="OCS GE Occitanie",
                  region_code="76", ocs_characteristic="ocs_ge", dimensions=["land_cover"],
                  interpretation_scale="",
                  vintages=[{"year": THIS_YEAR - 1, "status": "available"},
                            {"year": THIS_YEAR + 2, "status": "planned"}])
    # part of Occitanie, 1:50 000, a vintage in production
    create_record(crige_occitanie, name="ocsid", title="OCSID", region_code="76",
                  former_region_codes=["91"], ocs_characteristic="ocs_ge_improved",
                  interpretation_scale="1:50 000",
                  vintages=[{"year": 2012, "status": "available"},
                            {"year": THIS_YEAR, "status": "in_production"}])


def _indicators():
    data = call_action("ocsregistry_indicators", context={"user": ""})
    return data, {i["key"]: i for i in data["indicators"]}


def _regions_found(filters):
    """The records and distinct regions the catalogue search finds for filters."""
    search = query.package_search_params(filters)
    found = call_action("package_search", context={"user": ""}, rows=0, **dict(
        search, **{"facet.field": ["vocab_ocsregistry_region"], "facet.limit": -1}))
    return found["count"], len(found["search_facets"]["vocab_ocsregistry_region"]["items"])


def test_indicators_action(registry):
    data, by_key = _indicators()
    assert data["as_of"] == datetime.date.today().isoformat()
    assert {k: (i["value"], i["of"]) for k, i in by_key.items()} == {
        "covered": (2, 18), "large_scale": (2, 18), "two_dimensions": (2, 18),
        "in_production": (1, 3), "planned": (1, 3),
        "recent": (1, 18),  # Occitanie (last year); Grand Est's latest is 2019
    }
    assert by_key["recent"]["since"] == THIS_YEAR - 3
    assert by_key["recent"]["median_age"] == ((THIS_YEAR - 2019) + 1) / 2
    # each indicator's filters find its records in the catalogue search
    for key, indicator in by_key.items():
        records, regions = _regions_found(indicator["filters"])
        assert (records if indicator["unit"] == "records" else regions) == indicator["value"], key
    assert "Échelle d'interprétation" in by_key["large_scale"]["definition"]


@pytest.mark.parametrize("path,lang", [("/ocsregistry/", "fr"), ("/en/ocsregistry/", "en")])
def test_home_page_without_javascript(app, registry, path, lang):
    soup = BeautifulSoup(app.get(path).body, "html.parser")
    _, by_key = _indicators()
    h1 = soup.select_one("h1").get_text(strip=True)
    assert h1 == {"fr": "Registre national des bases régionales d'occupation du sol",
                  "en": "National registry of regional land-cover bases"}[lang]
    cards = soup.select("li.ocsregistry-indicator")
    assert [c["data-indicator"] for c in cards] == list(by_key)
    for card in cards:
        key = card["data-indicator"]
        value = card.select_one(".ocsregistry-indicator-value").get_text(strip=True)
        assert value == str(by_key[key]["value"])
        href = card.select_one("a")["href"]
        assert card.select_one(".ocsregistry-indicator-definition").get_text(strip=True)
        if key == "covered":
            assert href.endswith("/ocsregistry/map")
            continue
        url = urlsplit(href)
        assert url.path.endswith("/ocs/")
        filters = {k: v if k in query.FILTER_FIELDS else v[0]
                   for k, v in parse_qs(url.query).items()}
        records, regions = _regions_found(filters)
        assert (records if by_key[key]["unit"] == "records" else regions) == by_key[key]["value"]
        assert app.get(href).status_code == 200
    text = soup.get_text(" ", strip=True)
    assert ("Large scale" in text) == (lang == "en")
    assert ("Grande échelle" in text) == (lang == "fr")
    # the map, drawn on the server: 18 regions, named, each a link to its records
    svg = ET.fromstring(str(soup.select_one(".ocsregistry-home-map-svg svg")))
    paths = svg.findall(f".//{SVG}path[@data-region]")
    assert len(paths) == 18
    assert "Occitanie" in [t.text for t in svg.iter(f"{SVG}text")]
    links = {a.find(f"{SVG}path").get("data-region"): a.get("href") for a in svg.iter(f"{SVG}a")}
    assert parse_qs(urlsplit(links["76"]).query) == {"vocab_ocsregistry_region": ["76"]}
    # the table by region, and the ways in
    rows = soup.select("table.ocsregistry-home-table tbody tr")
    assert len(rows) == 18
    occitanie = soup.select_one('tr[data-region="76"]').get_text(" ", strip=True)
    assert occitanie.startswith("Occitanie 2 ") and str(THIS_YEAR - 1) in occitanie
    hrefs = [a["href"] for a in soup.select("a[href]")]
    for target in ("/ocsregistry/map", "/ocsregistry/export.csv?lang=" + lang,
                   "/ocsregistry/export.xlsx?lang=" + lang, "/ocsregistry/regions.csv?lang=" + lang,
                   "/ocsregistry/map.svg", "/ocsregistry/map.png"):
        assert any(h.endswith(target) for h in hrefs), target
    assert soup.select_one('form[role=search][action$="/ocs/"] input[name=q]') is not None
    # the code to embed it
    code = soup.select_one("textarea.ocsregistry-embed-code").get_text()
    assert "/ocsregistry/?embed=1" in code and code.startswith("<iframe")


def test_embedded_home_has_no_site_chrome_and_opens_links_on_top(app, registry):
    soup = BeautifulSoup(app.get("/ocsregistry/", query_string={"embed": "1"}).body, "html.parser")
    assert soup.select_one("header.masthead, .masthead") is None
    assert soup.select_one("li.ocsregistry-indicator") is not None
    assert soup.select_one("textarea.ocsregistry-embed-code") is None
    assert all(a.get("target") == "_top" for a in soup.select(".ocsregistry-indicator a"))


def test_home_prints_cleanly(app, registry):
    soup = BeautifulSoup(app.get("/ocsregistry/").body, "html.parser")
    css = [link["href"] for link in soup.select('link[rel=stylesheet]') if "home" in link["href"]]
    assert css, "the home's stylesheet"
    assert "@media print" in app.get(css[0]).body


@pytest.mark.parametrize("path,params,name", [
    ("/ocsregistry/", {"embed": "maybe"}, "embed"),
    ("/ocsregistry/regions.csv", {"era": "1789"}, "era"),
    ("/ocsregistry/regions.csv", {"lang": "de"}, "lang"),
    ("/ocsregistry/regions.csv", {"ext_latest_vintage_from": "soon"}, "ext_latest_vintage_from"),
    ("/ocsregistry/map.svg", {"vocab_ocsregistry_trait": "tiny"}, "vocab_ocsregistry_trait"),
    ("/ocsregistry/map.png", {"width": "huge"}, "width"),
    ("/ocsregistry/map.png", {"width": "50000"}, "width"),
    ("/ocsregistry/map.png", {"ext_vintage_from": "2020", "ext_vintage_to": "2010"}, "ext_vintage_to"),
])
def test_bad_parameters_are_named(app, path, params, name):
    response = app.get(path, query_string=params, status=400)
    assert name in response.body


@pytest.mark.parametrize("lang,delimiter,head", [("fr", ";", "Région"), ("en", ",", "Region")])
def test_regions_csv(app, registry, lang, delimiter, head):
    response = app.get("/ocsregistry/regions.csv", query_string={"lang": lang})
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.body.lstrip("\ufeff")), delimiter=delimiter))
    assert rows[0][1] == head and len(rows) == 19
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["76"][2] == "2" and by_code["76"][-1] == str(THIS_YEAR - 1)
    assert by_code["53"][2] == "0"
    pre = app.get("/ocsregistry/regions.csv", query_string={"lang": lang, "era": "pre-2016"})
    assert len(pre.body.strip().splitlines()) == 28


def _svg(app, prefix="", **params):
    response = app.get(prefix + "/ocsregistry/map.svg", query_string=params)
    assert response.headers["Content-Type"].startswith("image/svg+xml")
    return ET.fromstring(response.body.encode("utf-8"))


def test_map_svg_has_every_region_drawn_named_and_coloured(app, registry):
    svg = _svg(app)
    assert svg.tag == f"{SVG}svg"
    paths = {p.get("data-region"): p for p in svg.iter(f"{SVG}path")}
    assert len(paths) == 18
    assert paths["44"].get("fill") == national_map.STATUS_COLOURS["regional_specific"]
    # Occitanie: hatched (OCSID covers part of it), the pattern is defined
    assert paths["76"].get("fill").startswith("url(#")
    pattern_id = paths["76"].get("fill")[5:-1]
    assert svg.find(f".//{SVG}pattern[@id='{pattern_id}']") is not None
    assert paths["53"].get("fill") == national_map.NOTHING_COLOUR
    names = {t.text for t in svg.iter(f"{SVG}text")}
    assert {"Occitanie", "Grand Est", "Bretagne", "Guadeloupe"} <= names
    assert "Bases régionales d'occupation du sol par région" == svg.find(f"{SVG}title").text
    pre = _svg(app, "/en", era="pre-2016")
    assert len([p for p in pre.iter(f"{SVG}path") if p.get("data-region")]) == 27
    assert "Languedoc-Roussillon" in {t.text for t in pre.iter(f"{SVG}text")}
    assert pre.find(f"{SVG}title").text.startswith("Regional land-cover bases by region")
    # the map's filters apply
    filtered = _svg(app, vocab_ocsregistry_characteristic="ocs_ge")
    fills = {p.get("data-region"): p.get("fill") for p in filtered.iter(f"{SVG}path")
             if p.get("data-region")}
    assert fills["44"] == national_map.NOTHING_COLOUR
    assert fills["76"] == national_map.STATUS_COLOURS["ocs_ge"]


@pytest.mark.parametrize("params,width", [({}, 1600), ({"width": "800"}, 800)])
def test_map_png_decodes_at_the_asked_width(app, registry, params, width):
    response = app.get("/ocsregistry/map.png", query_string=params)
    assert response.headers["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.get_data()))
    image.load()
    svg = _svg(app)
    ratio = float(svg.get("height")) / float(svg.get("width"))
    assert image.format == "PNG" and image.width == width
    assert abs(image.height - round(width * ratio)) <= 1
    # the regions are drawn: the regional-specific green is in the picture
    green = tuple(int(national_map.STATUS_COLOURS["regional_specific"][i:i + 2], 16) for i in (1, 3, 5))
    assert green in {c[:3] for _n, c in image.convert("RGB").getcolors(1 << 20)}


@pytest.mark.ckan_config(HOME_OPTION, "true")
def test_option_makes_it_the_site_home(app, registry):
    for path, heading in (("/", "Registre national"), ("/en/", "National registry")):
        soup = BeautifulSoup(app.get(path).body, "html.parser")
        assert soup.select_one("h1").get_text(strip=True).startswith(heading)
        assert soup.select_one("li.ocsregistry-indicator") is not None
        assert "Bienvenue sur CKAN" not in soup.get_text() and "Welcome to CKAN" not in soup.get_text()


@pytest.mark.ckan_config(HOME_OPTION, "false")
def test_without_the_option_the_site_home_is_ckans(app, registry):
    soup = BeautifulSoup(app.get("/").body, "html.parser")
    assert soup.select_one("li.ocsregistry-indicator") is None
    assert app.get("/ocsregistry/").status_code == 200
