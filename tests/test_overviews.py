"""The vintage timeline, the comparison and the feed of changes: data through
their actions, pages in French and English (no JavaScript), downloads."""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from io import BytesIO

import feedparser
import pytest
from bs4 import BeautifulSoup
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import call_action
from PIL import Image

from ckanext.ocsregistry import record as ocs_record

from .conftest import RESTRICTED_VALUES, as_user, create_record, record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def registry(crige_grand_est, crige_occitanie):
    create_record(crige_grand_est)  # Grand Est: 2010 and 2019, available
    create_record(crige_occitanie, name="ocs-ge-occitanie", title="OCS GE Occitanie",
                  region_code="76", ocs_characteristic="ocs_ge", dimensions=["land_cover"],
                  vintages=[{"year": 2021, "status": "available"},
                            {"year": 2024, "status": "in_production"},
                            {"year": 2027, "status": "planned", "note": "Hérault"}])
    create_record(crige_occitanie, name="ocsid", title="OCSID", region_code="76",
                  former_region_codes=["91"], ocs_characteristic="ocs_ge_improved",
                  vintages=[{"year": 2012, "status": "available"}])


def _anon(action, **params):
    return call_action(action, context={"user": "", "ignore_auth": False}, **params)


def _soup(resp) -> BeautifulSoup:
    return BeautifulSoup(resp.body, "html.parser")


def _vintages(data) -> list[tuple[str, str, int, str]]:
    return sorted((r["code"], b["name"], v["year"], v["status"])
                  for r in data["regions"] for b in r["bases"] for v in b["vintages"])


# --------------------------------------------------------------------------
# Timeline
# --------------------------------------------------------------------------

class TestTimelineData:
    def test_regions_by_years_with_each_vintage_status(self, registry):
        data = _anon("ocsregistry_timeline")
        assert data["era"] == "2016" and data["count"] == 3 and len(data["regions"]) == 18
        assert data["years"] == list(range(2010, 2028))
        by_code = {r["code"]: r for r in data["regions"]}
        assert [b["name"] for b in by_code["76"]["bases"]] == ["ocs-ge-occitanie", "ocsid"]
        occitanie = by_code["76"]["bases"][0]
        assert [(v["year"], v["status"], v["status_label"]) for v in occitanie["vintages"]] == [
            (2021, "available", "Disponible"), (2024, "in_production", "En production"),
            (2027, "planned", "Prévu")]
        assert occitanie["vintages"][2]["note"] == "Hérault"
        assert occitanie["url"].endswith("/ocs/ocs-ge-occitanie")
        assert occitanie["organization"]["title"] == "OPenIG"
        assert by_code["53"]["bases"] == []
        assert [e["value"] for e in data["legend"]] == ["available", "in_production", "planned"]
        # every symbol differs: statuses are told apart by shape, not colour alone
        assert len({e["symbol"] for e in data["legend"]}) == 3

    def test_pre_2016_regions(self, registry):
        data = _anon("ocsregistry_timeline", era="pre-2016")
        by_code = {r["code"]: r for r in data["regions"]}
        assert len(by_code) == 27 and "76" not in by_code
        assert {b["name"] for b in by_code["91"]["bases"]} == {"ocs-ge-occitanie", "ocsid"}
        assert {b["name"] for b in by_code["73"]["bases"]} == {"ocs-ge-occitanie"}

    @pytest.mark.parametrize("filters,expected", [
        ({"vocab_ocsregistry_characteristic": "ocs_ge"}, {"ocs-ge-occitanie"}),
        ({"organization": "openig"}, {"ocs-ge-occitanie", "ocsid"}),
        ({"ext_vintage_from": 2020}, {"ocs-ge-occitanie"}),
        ({"q": "Languedoc"}, {"ocsid"}),
    ])
    def test_filters_are_the_maps(self, registry, filters, expected):
        data = _anon("ocsregistry_timeline", **filters)
        assert {b["name"] for r in data["regions"] for b in r["bases"]} == expected
        on_map = _anon("ocsregistry_map_data", **filters)
        assert {b["name"] for r in on_map["regions"] for b in r["bases"]} == expected

    @pytest.mark.parametrize("filters,field", [
        ({"era": "1789"}, "era"), ({"ext_vintage_from": "deux mille"}, "ext_vintage_from"),
        ({"ext_bbox": "north pole"}, "ext_bbox")])
    def test_bad_filters_are_named(self, filters, field):
        with pytest.raises(tk.ValidationError) as err:
            _anon("ocsregistry_timeline", **filters)
        assert field in err.value.error_dict

    def test_private_records_stay_with_their_crige(self, crige_grand_est):
        create_record(crige_grand_est, private=True)
        assert _anon("ocsregistry_timeline")["count"] == 0
        member = call_action("ocsregistry_timeline", context={
            "user": crige_grand_est["member"]["name"], "ignore_auth": False})
        assert member["count"] == 1


class TestTimelinePage:
    @pytest.mark.parametrize("prefix,legend,empty", [
        ("", ["Disponible", "En production", "Prévu"], "aucune fiche"),
        ("/en", ["Available", "In production", "Planned"], "no record")])
    def test_table_without_javascript_in_both_languages(self, app, registry, prefix, legend, empty):
        soup = _soup(app.get(prefix + "/ocsregistry/timeline"))
        data = _anon("ocsregistry_timeline")
        assert [li.get_text(" ", strip=True).split(" ", 1)[1]
                for li in soup.select(".ocsregistry-timeline-legend li")] == legend
        table = soup.select_one("table.ocsregistry-timeline-table")
        assert [th.get_text() for th in table.select("thead th.ocsregistry-year")] == \
            [str(y) for y in data["years"]]
        assert len(table.select("tbody")) == 18
        marks = sorted((m.find_parent("tr")["data-region"], m.find_parent("tr")["data-record"],
                        int(m["data-year"]), m["data-status"])
                       for m in table.select("a.ocsregistry-mark"))
        assert marks == _vintages(data) and len(marks) == 6
        # each mark sits in its year's column and links to its record
        mark = table.select_one('tr[data-record="ocsid"] a.ocsregistry-mark')
        cells = mark.find_parent("tr").find_all(["th", "td"])
        header = table.select("thead th")
        offset = len(header) - len(cells)  # the region's cell spans its rows
        assert header[cells.index(mark.find_parent("td")) + offset].get_text() == "2012"
        assert mark["href"].endswith("/ocs/ocsid")
        assert empty in table.select_one('tbody[data-region="53"]').get_text()
        assert soup.select_one('link[rel="alternate"][type="application/atom+xml"]')["href"] \
            .endswith(prefix + "/ocsregistry/changes.atom")

    def test_downloads_and_embed_code_keep_the_filters(self, app, registry):
        soup = _soup(app.get("/ocsregistry/timeline", query_string={"organization": "openig"}))
        hrefs = [a["href"] for a in soup.select(".ocsregistry-downloads a")]
        for fmt in ("csv", "svg", "png"):
            assert f"/ocsregistry/timeline.{fmt}?organization=openig&era=2016" in hrefs
        code = soup.select_one("textarea#ocsregistry-embed-code").get_text()
        assert "/ocsregistry/timeline?organization=openig&amp;era=2016&amp;embed=1" in code \
            or "/ocsregistry/timeline?organization=openig&era=2016&embed=1" in code

    def test_embed_variant_has_no_site_chrome(self, app, registry):
        soup = _soup(app.get("/ocsregistry/timeline", query_string={"embed": "1"}))
        assert soup.select_one("header") is None and soup.select_one("footer") is None
        assert "ocsregistry-embed" in soup.body.get("class", [])
        assert all(a.get("target") == "_top" for a in soup.select("table a"))
        assert soup.select_one("#ocsregistry-embed-code") is None

    def test_bad_filters_are_explained_with_a_400(self, app, registry):
        resp = app.get("/ocsregistry/timeline", query_string={"ext_vintage_from": "abc"},
                       status=400)
        errors = _soup(resp).select_one(".ocsregistry-filter-errors").get_text()
        assert "Millésime à partir de" in errors and "ext_vintage_from" in errors
        assert app.get("/ocsregistry/timeline.svg", query_string={"era": "x"}, status=400)
        assert "era" in app.get("/ocsregistry/timeline.csv", query_string={"era": "x"},
                                status=400).body

    @pytest.mark.parametrize("prefix,delimiter,header", [
        ("", ";", "Millésime"), ("/en", ",", "Vintage")])
    def test_csv(self, app, registry, prefix, delimiter, header):
        resp = app.get(prefix + "/ocsregistry/timeline.csv")
        assert resp.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(resp.body.lstrip("\ufeff")), delimiter=delimiter))
        assert header in rows[0]
        year, status = rows[0].index(header), rows[0].index("État" if not prefix else "Status")
        body = sorted((r[0], int(r[year]), r[status]) for r in rows[1:])
        expected = sorted((c, y, ocs_record.choice_label(
            ocs_record.schema_field("vintages", "status"), s, "en" if prefix else "fr"))
            for c, _n, y, s in _vintages(_anon("ocsregistry_timeline")))
        assert body == expected

    def test_svg_draws_regions_and_vintages(self, app, registry):
        resp = app.get("/ocsregistry/timeline.svg", query_string={"era": "pre-2016"})
        assert resp.headers["Content-Type"].startswith("image/svg+xml")
        root = ET.fromstring(resp.body.encode("utf-8"))
        assert root.tag == SVG + "svg" and root.get("data-era") == "pre-2016"
        regions = root.findall(f".//{SVG}g[@class='region']")
        assert len(regions) == 27
        data = _anon("ocsregistry_timeline", era="pre-2016")
        marks = []
        for group in regions:
            for base in group.findall(f"{SVG}g[@class='base']"):
                for a in base.findall(f"{SVG}a"):
                    assert a.get("href").endswith("/ocs/" + base.get("data-record"))
                    assert len(list(a)) >= 2  # a title and a shape
                    marks.append((group.get("data-region"), base.get("data-record"),
                                  int(a.get("data-year")), a.get("data-status")))
        # Grand Est's 2 vintages in its 3 former regions, Occitanie's 3 in 2, OCSID's 1
        assert sorted(marks) == _vintages(data) and len(marks) == 2 * 3 + 3 * 2 + 1
        names = {t.text for g in regions for t in g.findall(f"{SVG}text")}
        assert "Languedoc-Roussillon" in names
        # the three statuses, three shapes
        legend = root.findall(f".//{SVG}g[@class='legend-item']")
        assert [g.get("data-status") for g in legend] == ["available", "in_production", "planned"]
        shapes = [ET.tostring(list(g)[0]) + ET.tostring(list(g)[1]) for g in legend]
        assert len(set(shapes)) == 3

    def test_png_decodes_at_slide_size(self, app, registry):
        from ckanext.ocsregistry.graphics.raster import DEFAULT_WIDTH

        resp = app.get("/ocsregistry/timeline.png")
        assert resp.headers["Content-Type"] == "image/png"
        image = Image.open(BytesIO(resp.data))
        svg = ET.fromstring(app.get("/ocsregistry/timeline.svg").body.encode("utf-8"))
        ratio = float(svg.get("height")) / float(svg.get("width"))
        assert image.size[0] == DEFAULT_WIDTH
        assert abs(image.size[1] - round(DEFAULT_WIDTH * ratio)) <= 1

    def test_a_png_too_long_for_a_slide_is_refused_naming_the_filters(self, app, registry, monkeypatch):
        from ckanext.ocsregistry import overview_views

        monkeypatch.setattr(overview_views, "MAX_PNG_LINES", 20)  # 18 regions + 3 bases = 21 lines
        body = app.get("/ocsregistry/timeline.png", status=400).body
        assert "Trop de bases pour une image" in body and "filtres" in body
        # one CRIGE's selection fits, and the SVG never is refused
        assert app.get("/ocsregistry/timeline.png", query_string={"era": "2016", "organization": "geograndest"}
                       ).headers["Content-Type"] == "image/png"
        assert app.get("/ocsregistry/timeline.svg").status_code == 200

    def test_titles_are_escaped_in_the_picture(self, app, crige_grand_est):
        evil = '<script>alert(1)</script> & "Co"'
        create_record(crige_grand_est, title=evil)
        body = app.get("/ocsregistry/timeline.svg").body
        assert "<script>" not in body
        root = ET.fromstring(body.encode("utf-8"))
        assert any(t.text == evil for t in root.iter(SVG + "text"))


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------

def _field_label(name: str, lang: str) -> str:
    return ocs_record.label(ocs_record.schema_field(name)["label"], lang)


class TestCompareData:
    def test_cards_side_by_side_labelled_from_the_schema(self, registry):
        data = _anon("ocsregistry_compare", records="ocsid,ocs-ge-occitanie", lang="en")
        assert [r["name"] for r in data["records"]] == ["ocsid", "ocs-ge-occitanie"]
        rows = {r["field"]: r for r in data["rows"]}
        for name in ("ocs_characteristic", "dimensions", "class_count", "level_count", "mmu",
                     "interpretation_scale", "rendering_scale", "imagery", "producers", "vintages"):
            assert rows[name]["label"] == _field_label(name, "en")
        assert rows["ocs_characteristic"]["values"] == ["Improved OCS GE", "OCS GE"] or \
            rows["ocs_characteristic"]["values"][1] == ocs_record.choice_label(
                ocs_record.schema_field("ocs_characteristic"), "ocs_ge", "en")
        assert rows["ocs_characteristic"]["differ"] is True
        assert rows["vintages"]["values"][1] == "2021 Available ; 2024 In production ; 2027 Planned (Hérault)"
        assert rows["owner_org"]["values"] == ["OPenIG", "OPenIG"] and not rows["owner_org"]["differ"]
        assert not set(ocs_record.restricted_fields()) & set(rows)
        assert {c["value"] for c in data["choices"]} == {"ocsid", "ocs-ge-occitanie",
                                                         "ocs-ge2-grand-est"}

    @pytest.mark.parametrize("records,message", [
        ("ocsid", "(1 "), (["ocsid"], "(1 "),
        ("ocsid,ocs-ge-occitanie,ocs-ge2-grand-est,a1,b2", "(5 "),
        ("ocsid,nope", "nope"), ("ocsid,Bad Name!", "Bad Name!")])
    def test_bad_records_are_named(self, registry, records, message):
        with pytest.raises(tk.ValidationError) as err:
            _anon("ocsregistry_compare", records=records)
        assert message in " ".join(err.value.error_dict["records"])

    def test_private_records_only_for_their_crige(self, registry, crige_grand_est):
        create_record(crige_grand_est, name="secret-base", title="Secret", private=True)
        with pytest.raises(tk.ValidationError) as err:
            _anon("ocsregistry_compare", records="ocsid,secret-base")
        assert "secret-base" in err.value.error_dict["records"][0]
        member = call_action("ocsregistry_compare", context={
            "user": crige_grand_est["member"]["name"], "ignore_auth": False},
            records="ocsid,secret-base")
        assert [r["private"] for r in member["records"]] == [False, True]


class TestComparePage:
    @pytest.mark.parametrize("prefix,lang,compare", [("", "fr", "Comparer"), ("/en", "en", "Compare")])
    def test_form_and_table_without_javascript(self, app, registry, prefix, lang, compare):
        soup = _soup(app.get(prefix + "/ocsregistry/compare"))
        boxes = soup.select("form.ocsregistry-compare-form input[type=checkbox][name=records]")
        # each record listed once, labelled, grouped by region
        assert sorted(b["value"] for b in boxes) == ["ocs-ge-occitanie", "ocs-ge2-grand-est", "ocsid"]
        assert all(b.find_parent("label") for b in boxes)
        assert [d.summary.get_text(strip=True) for d in soup.select(".ocsregistry-compare-region")] \
            == ["Grand Est (1)", "Occitanie (2)"]
        assert soup.select_one("form.ocsregistry-compare-form button").get_text(strip=True) == compare
        # what the form submits: the chosen names, blanks for the others
        soup = _soup(app.get(prefix + "/ocsregistry/compare",
                             query_string=[("records", "ocs-ge2-grand-est"), ("records", "ocsid")]))
        heads = [th.get_text(" ", strip=True) for th in soup.select("table thead th")]
        assert heads == ["OCS GE2 Grand Est", "OCSID"] or heads[1] == "OCSID"
        labels = [th.get_text(" ", strip=True) for th in soup.select("table tbody th")]
        data = _anon("ocsregistry_compare", records="ocs-ge2-grand-est,ocsid", lang=lang)
        assert [lbl.split(" ≠")[0] for lbl in labels] == [r["label"] for r in data["rows"]]
        share = soup.select_one("#ocsregistry-share-url")["value"]
        assert share.endswith(prefix + "/ocsregistry/compare?records=ocs-ge2-grand-est,ocsid")
        checked = [b["value"] for b in soup.select("input[name=records][checked]")]
        assert sorted(checked) == ["ocs-ge2-grand-est", "ocsid"]
        assert soup.select_one('link[rel="alternate"][type="application/atom+xml"]') is not None

    @pytest.mark.parametrize("query", [
        {"records": "ocsid"}, {"records": "ocsid,a,b,c,d"}, {"records": "ocsid,unknown-one"}])
    def test_bad_input_is_a_400_naming_the_parameter(self, app, registry, query):
        soup = _soup(app.get("/ocsregistry/compare", query_string=query, status=400))
        error = soup.select_one(".ocsregistry-filter-errors").get_text(" ", strip=True)
        assert "« records »" in error
        # the form again, with what was chosen still checked
        assert len(soup.select("input[name=records]")) == 3
        assert "ocsid" in [b["value"] for b in soup.select("input[name=records][checked]")]
        body = app.get("/ocsregistry/compare.csv", query_string=query, status=400).body
        assert "records" in body

    def test_csv_one_column_per_record(self, app, registry):
        resp = app.get("/en/ocsregistry/compare.csv", query_string={"records": "ocsid,ocs-ge-occitanie"})
        rows = list(csv.reader(io.StringIO(resp.body.lstrip("\ufeff"))))
        assert rows[0] == ["Field", "OCSID", "OCS GE Occitanie"]
        assert rows[1][1].endswith("/ocs/ocsid")
        assert [r[0] for r in rows[2:]] == [r["label"] for r in _anon(
            "ocsregistry_compare", records="ocsid,ocs-ge-occitanie", lang="en")["rows"]]


# --------------------------------------------------------------------------
# Restricted values, written through the API by an editor
# --------------------------------------------------------------------------

def _api(app, user, action, **data):
    resp = app.post(f"/api/3/action/{action}", json=data, **as_user(user))
    assert resp.json["success"], resp.json
    return resp.json["result"]


def test_no_restricted_value_in_the_comparison_nor_the_feed(app, crige_grand_est, crige_occitanie):
    editor = crige_grand_est["editor"]["name"]
    funded = _api(app, editor, "package_create", **record(
        owner_org=crige_grand_est["org"]["id"], funding_visibility="restricted"))
    _api(app, editor, "package_patch", id=funded["name"], production_price="2222333",
         funders="Région Grand Est, FEDER, zanzibarfund, quokkafund",
         title="OCS GE2 Grand Est (révisée)")
    other = _api(app, crige_occitanie["editor"]["name"], "package_create", **record(
        owner_org=crige_occitanie["org"]["id"], name="ocs-occ", title="OCS Occ",
        region_code="76", funding_visibility="restricted"))
    secrets = [str(v) for v in RESTRICTED_VALUES.values()] + ["zanzibarfund", "quokkafund",
                                                              "2222333", "2 222 333", "45000"]
    member = as_user(crige_grand_est["member"]["name"])
    for kwargs in ({}, member):
        for path in ("/ocsregistry/compare", "/en/ocsregistry/compare", "/ocsregistry/compare.csv"):
            body = app.get(path, query_string={"records": f"{funded['name']},{other['name']}"},
                           **kwargs).body
            assert "OCS Occ" in body
            assert not [s for s in secrets if s in body], path
    feed = app.get("/ocsregistry/changes.atom").body
    assert "révisée" in feed and not [s for s in secrets if s in feed]


# --------------------------------------------------------------------------
# Feed of changes
# --------------------------------------------------------------------------

class TestChangesFeed:
    @pytest.fixture
    def changed(self, app, crige_grand_est, crige_occitanie):
        editor = crige_grand_est["editor"]["name"]
        pkg = _api(app, editor, "package_create", **record(owner_org=crige_grand_est["org"]["id"]))
        _api(app, editor, "package_patch", id=pkg["name"],
             vintages=[{"year": 2019, "status": "available"}, {"year": 2025, "status": "planned"}])
        gone = _api(app, crige_occitanie["editor"]["name"], "package_create", **record(
            owner_org=crige_occitanie["org"]["id"], name="ocs-gone", title="OCS supprimée",
            region_code="76"))
        _api(app, crige_occitanie["editor"]["name"], "package_delete", id=gone["name"])
        _api(app, editor, "package_create", **record(
            owner_org=crige_grand_est["org"]["id"], name="hidden-base", title="Cachée",
            private=True))
        return pkg

    def test_feed_is_atom_with_the_public_changes(self, app, changed):
        resp = app.get("/ocsregistry/changes.atom")
        assert resp.headers["Content-Type"].startswith("application/atom+xml")
        feed = feedparser.parse(resp.body.encode("utf-8"))
        assert not feed.bozo, feed.bozo_exception
        assert feed.version == "atom10" and feed.feed.title == "Registre OCS : derniers changements"
        titles = [e.title for e in feed.entries]
        assert titles == ["Fiche supprimée : OCS supprimée", "Fiche créée : OCS supprimée",
                          "Fiche modifiée : OCS GE2 Grand Est", "Fiche créée : OCS GE2 Grand Est"]
        updated = feed.entries[2]
        assert updated.link.endswith("/ocs/" + changed["name"])
        assert updated.summary == "Modifié : " + _field_label("vintages", "fr")
        assert updated.author == "GéoGrandEst"
        assert len({e.id for e in feed.entries}) == 4
        assert all(e.updated_parsed for e in feed.entries)
        assert "Cachée" not in resp.body

    def test_english_feed_and_limit(self, app, changed):
        feed = feedparser.parse(app.get("/en/ocsregistry/changes.atom",
                                        query_string={"limit": "2"}).body.encode("utf-8"))
        assert [e.title for e in feed.entries] == ["Record deleted: OCS supprimée",
                                                   "Record created: OCS supprimée"]
        data = _anon("ocsregistry_changes", limit=3, lang="en")
        assert [e["kind"] for e in data] == ["deleted", "created", "updated"]
        assert data[2]["fields"] == ["vintages"]
        assert data[2]["summary"] == "Changed: " + _field_label("vintages", "en")

    @pytest.mark.parametrize("limit", ["0", "101", "ten", "-1", "2.5"])
    def test_bad_limit_is_named(self, app, limit):
        body = app.get("/ocsregistry/changes.atom", query_string={"limit": limit}, status=400).body
        assert "limit" in body
        with pytest.raises(tk.ValidationError) as err:
            _anon("ocsregistry_changes", limit=limit)
        assert "limit" in err.value.error_dict

    def test_pages_advertise_the_feed_and_link_the_new_views(self, app):
        for path in ("/ocs/", "/ocsregistry/map", "/ocsregistry/timeline", "/ocsregistry/compare"):
            link = _soup(app.get(path)).select_one('link[rel="alternate"][type="application/atom+xml"]')
            assert link is not None and link["href"].endswith("/ocsregistry/changes.atom"), path
        soup = _soup(app.get("/ocs/"))
        nav = [a["href"] for a in soup.select("header a")]
        assert "/ocsregistry/timeline" in nav and "/ocsregistry/compare" in nav
        active = [a["href"] for a in _soup(app.get("/ocsregistry/timeline")).select("header li.active a")]
        assert active == ["/ocsregistry/timeline"]
        side = [a["href"] for a in soup.select(".ocsregistry-links a")]
        assert "/ocsregistry/timeline" in side and "/ocsregistry/changes.atom" in side
