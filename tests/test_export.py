"""CSV and Excel export: content, filters and permissions."""
from __future__ import annotations

import csv
import datetime
import io
import zipfile

import pytest
from ckan.tests import factories
from openpyxl import load_workbook

from ckanext.ocsregistry.table import export

from .conftest import create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _csv(app, headers=None, **params):
    resp = app.get("/ocsregistry/export.csv", query_string=params, headers=headers or {})
    assert resp.status_code == 200, resp.body
    raw = resp.get_data()
    assert raw.startswith("\ufeff".encode("utf-8"))
    text = raw.decode("utf-8-sig")
    delimiter = ";" if params.get("lang", "fr") == "fr" else ","
    return resp, list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


@pytest.fixture
def records(crige_grand_est, crige_occitanie):
    create_record(crige_grand_est)
    create_record(crige_occitanie, name="ocsid", title="OCSID", region_code="76",
                  former_region_codes=["91"], ocs_characteristic="ocs_ge_improved",
                  funding_visibility="public", funders="Région Occitanie; FEDER",
                  info_updated="2024-03-15",
                  vintages=[{"year": 2012, "status": "available", "note": "Aude; P.-O. (66)"},
                            {"year": 2026, "status": "planned"},
                            {"year": 2018, "status": "available"}])


def test_csv_rows_in_french(app, records):
    resp, rows = _csv(app)
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="registre-ocs-' in resp.headers["Content-Disposition"]
    assert [r["Adresse (URL)"] for r in rows] == ["ocs-ge2-grand-est", "ocsid"]
    grand_est, ocsid = rows
    # the code with its region's name: Excel keeps such a cell as text ("01" stays "01")
    assert grand_est["Code INSEE de la région"] == "44 – Grand Est"
    assert grand_est["Région"] == "Grand Est"
    assert grand_est["Caractéristique de l'OCS"] == "OCS régionale spécifique"
    assert grand_est["Millésimes"] == "2010 Disponible; 2019 Disponible (tous les départements)"
    assert grand_est["Dimensions"] == "Couverture du sol; Usage du sol"
    assert grand_est["Prestataire(s) de production"] == "CLS; TTI"
    assert grand_est["UMC principale (m²)"] == "500"
    assert grand_est["CRIGE"] == "GéoGrandEst"  # the organisation's title, not its slug
    assert grand_est["Fiche du registre"].endswith("/ocs/ocs-ge2-grand-est")
    # a ";" inside a value survives the list separator
    assert ocsid["Millésimes"] == ("2012 Disponible (Aude\\; P.-O. (66)); 2018 Disponible; "
                                   "2026 Prévu")
    assert ocsid["Anciennes régions couvertes (avant 2016)"] == "Languedoc-Roussillon"
    assert (ocsid["Premier millésime"], ocsid["Dernier millésime disponible"],
            ocsid["Prochain millésime prévu"]) == ("2012", "2018", "2026")
    assert ocsid["Date de mise à jour des informations"] == "2024-03-15"
    assert ocsid["Dernière modification de la fiche (UTC)"].startswith(
        str(datetime.datetime.utcnow().year))


def test_csv_in_english(app, records):
    _resp, rows = _csv(app, lang="en")
    assert rows[0]["OCS characteristic"] == "Region-specific OCS"
    assert rows[0]["Vintages"].startswith("2010 Available")
    assert rows[1]["Former regions covered (before 2016)"] == "Languedoc-Roussillon"
    assert rows[1]["Next planned vintage"] == "2026"


def test_export_follows_the_page_language(app, records):
    """/en/... exports in English without ?lang; ?lang still wins."""
    resp = app.get("/en/ocsregistry/export.csv")
    assert resp.status_code == 200
    assert 'filename="ocs-registry-' in resp.headers["Content-Disposition"]
    header = resp.get_data().decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Name of the base,") and "OCS characteristic" in header
    resp = app.get("/en/ocsregistry/export.csv", query_string={"lang": "fr"})
    assert resp.get_data().decode("utf-8-sig").startswith("Nom de la base;")
    resp = app.get("/ocsregistry/export.csv")
    assert resp.get_data().decode("utf-8-sig").startswith("Nom de la base;")
    book = load_workbook(io.BytesIO(app.get("/en/ocsregistry/export.xlsx").get_data()))
    assert book.worksheets[0].title == "OCS registry"
    assert book.worksheets[0]["A1"].value == "Name of the base"


@pytest.mark.parametrize("path,lang", [("/ocs/", "fr"), ("/en/ocs/", "en"),
                                       ("/organization/openig", "fr"),
                                       ("/en/organization/openig", "en"),
                                       ("/ocsregistry/map", "fr"), ("/en/ocsregistry/map", "en")])
def test_export_links_pass_the_page_language(app, records, path, lang):
    from bs4 import BeautifulSoup
    resp = app.get(path)
    assert resp.status_code == 200
    links = [a["href"] for a in BeautifulSoup(resp.body, "html.parser").find_all("a", href=True)
             if "/ocsregistry/export." in a["href"]]
    assert len(links) >= 2, links
    assert all(f"lang={lang}" in link for link in links), links


def test_restricted_values_stay_out_unless_public_or_own(app, records, crige_grand_est,
                                                         crige_occitanie):
    _resp, rows = _csv(app)
    assert rows[0]["Financeurs du projet"] == "" and rows[0]["Prix de production de la base (€ HT)"] == ""
    assert rows[1]["Financeurs du projet"] == "Région Occitanie; FEDER"
    # a member of the CRIGE gets its own values, one column per field, from the table
    token = factories.APIToken(user=crige_grand_est["member"]["name"])["token"]
    _resp, rows = _csv(app, headers={"Authorization": token})
    assert rows[0]["Financeurs du projet"] == "Région Grand Est, FEDER, zanzibarfund"
    assert rows[0]["Prix de production de la base (€ HT)"] == "1250000.5"
    assert rows[0]["Prix de l'AMO (€ HT)"] == "45000"
    # another CRIGE's editor does not
    token = factories.APIToken(user=crige_occitanie["editor"]["name"])["token"]
    _resp, rows = _csv(app, headers={"Authorization": token})
    assert "zanzibarfund" not in str(rows) and rows[0]["Prix de l'AMO (€ HT)"] == ""


def test_private_records_only_for_their_crige(app, crige_grand_est):
    create_record(crige_grand_est, private=True)
    assert _csv(app)[1] == []
    token = factories.APIToken(user=crige_grand_est["member"]["name"])["token"]
    assert len(_csv(app, headers={"Authorization": token})[1]) == 1


@pytest.mark.parametrize("params,expected", [
    ({"q": "OCSID"}, ["ocsid"]),
    ({"vocab_ocsregistry_region": "44"}, ["ocs-ge2-grand-est"]),
    ({"organization": "openig"}, ["ocsid"]),
    ({"ext_vintage_to": "2011"}, ["ocs-ge2-grand-est"]),
    ({"ext_bbox": "2.5,42.5,3.5,43.5"}, ["ocsid"]),
])
def test_export_honours_the_search_filters(app, records, params, expected):
    assert [r["Adresse (URL)"] for r in _csv(app, **params)[1]] == expected


@pytest.mark.parametrize("params", [{"lang": "de"}, {"ext_vintage_to": "x"}, {"ext_bbox": "1,2"}])
def test_bad_parameters_are_refused(app, params):
    resp = app.get("/ocsregistry/export.csv", query_string=params)
    assert resp.status_code == 400
    assert list(params)[0] in resp.body


def _as_csv_text(value, header):
    """An .xlsx cell as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ") if "UTC" in header else value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_xlsx_has_the_same_rows_as_csv(app, records):
    _resp, rows = _csv(app)
    resp = app.get("/ocsregistry/export.xlsx")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(resp.get_data()), read_only=True)
    sheet = list(book.worksheets[0].iter_rows(values_only=True))
    header, data = sheet[0], sheet[1:]
    assert list(header) == list(rows[0].keys())
    code = header.index("Code INSEE de la région")
    for csv_row, xlsx_row in zip(rows, data):
        as_text = [_as_csv_text(v, h) for v, h in zip(xlsx_row, header)]
        expected = list(csv_row.values())
        # the CSV gives the code with its region's name, the workbook the code alone (as text)
        assert expected[code].startswith(as_text[code] + " – ")
        expected[code] = as_text[code]
        assert as_text == [e.replace("T", " ") if h.endswith("(UTC)") else e
                           for e, h in zip(expected, header)]
    assert len(data) == len(rows)


def test_xlsx_is_a_spreadsheet_ready_to_use(app, records):
    """Widths, filter, frozen header, real dates, numbers, links, codes as text, names."""
    editor = factories.User()
    org = factories.Organization(name="geoguadeloupe", title="GéoGuadeloupe", regions_covered=["01"],
                                 users=[{"name": editor["name"], "capacity": "editor"}])
    create_record({"org": org, "editor": editor}, name="ocs-guadeloupe", title="OCS Guadeloupe",
                  region_code="01", viewer_url="https://example.org/viewer?a=1&b=2")
    book = load_workbook(io.BytesIO(app.get("/ocsregistry/export.xlsx").get_data()))
    sheet = book.worksheets[0]
    assert sheet.title == "Registre OCS"
    header = [c.value for c in sheet[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    last = sheet.cell(row=1, column=len(header)).column_letter
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{last}4"
    # every column has a width (openpyxl groups neighbours of the same width), within bounds
    widths = {}
    for dim in sheet.column_dimensions.values():
        widths.update((i, dim.width) for i in range(dim.min, dim.max + 1))
    assert sorted(widths) == list(range(1, len(header) + 1))
    assert all(9 <= w <= 62 for w in widths.values()), widths
    assert widths[col["Fiche du registre"]] > widths[col["Code INSEE de la région"]]
    assert sheet.cell(row=1, column=1).font.b  # a bold header
    rows = {sheet.cell(row=r, column=col["Adresse (URL)"]).value: r for r in range(2, 5)}
    assert list(rows) == ["ocs-ge2-grand-est", "ocs-guadeloupe", "ocsid"]

    def at(name, header_text):
        return sheet.cell(row=rows[name], column=col[header_text])

    # codes are text, with the region's name beside them
    assert at("ocs-guadeloupe", "Code INSEE de la région").value == "01"
    assert at("ocs-guadeloupe", "Code INSEE de la région").data_type == "s"
    assert at("ocsid", "Code INSEE de la région").value == "76"
    assert at("ocsid", "Région").value == "Occitanie"
    assert at("ocsid", "Anciennes régions couvertes (avant 2016)").value == "Languedoc-Roussillon"
    # the organisation's title
    assert at("ocsid", "CRIGE").value == "OPenIG"
    assert at("ocs-guadeloupe", "CRIGE").value == "GéoGuadeloupe"
    # vintages: 2012 and 2018 available, 2026 planned
    assert [at("ocsid", h).value for h in ("Premier millésime", "Dernier millésime disponible",
                                           "Prochain millésime prévu")] == [2012, 2018, 2026]
    assert at("ocs-ge2-grand-est", "Prochain millésime prévu").value is None
    # dates are dates, numbers are numbers
    updated = at("ocsid", "Date de mise à jour des informations")
    assert updated.value == datetime.datetime(2024, 3, 15) and updated.is_date
    modified = at("ocsid", "Dernière modification de la fiche (UTC)")
    assert isinstance(modified.value, datetime.datetime) and modified.is_date
    assert at("ocs-ge2-grand-est", "UMC principale (m²)").value == 500
    # web addresses are links
    record_url = at("ocsid", "Fiche du registre")
    assert record_url.hyperlink is not None and record_url.hyperlink.target == record_url.value
    assert record_url.value.endswith("/ocs/ocsid")
    viewer = at("ocs-guadeloupe", "Lien vers la visionneuse")
    assert viewer.value == "https://example.org/viewer?a=1&b=2"
    assert viewer.hyperlink.target == "https://example.org/viewer?a=1&b=2"


def test_xlsx_urls_beyond_excel_limits_stay_text(tmp_path, monkeypatch):
    """Excel takes 65,530 links per sheet and 2,079 characters per link: beyond, text."""
    from ckanext.ocsregistry.table import columns
    monkeypatch.setattr(export, "MAX_URLS", 2)
    cols = columns.columns("en")
    url_col = [i for i, c in enumerate(cols) if c.name == columns.RECORD_URL][0]
    long_url = "https://example.org/" + "a" * 2100
    rows = [[c.header for c in cols]]
    for url in ["https://example.org/1", long_url, "https://example.org/2", "https://example.org/3",
                "javascript:alert(1)", "=HYPERLINK(\"http://x\")"]:
        row = [""] * len(cols)
        row[url_col] = url
        rows.append(row)
    path = tmp_path / "out.xlsx"
    assert export.write_xlsx(str(path), rows, "en") == 6
    sheet = load_workbook(path).worksheets[0]
    cells = [sheet.cell(row=r, column=url_col + 1) for r in range(2, 8)]
    assert [c.value for c in cells] == [r[url_col] for r in rows[1:]]
    assert [c.hyperlink is not None for c in cells] == [True, False, True, False, False, False]
    assert cells[5].data_type == "s"  # never a formula


def test_empty_xlsx_still_has_its_header_and_filter(app):
    sheet = load_workbook(io.BytesIO(app.get("/ocsregistry/export.xlsx").get_data())).worksheets[0]
    assert sheet.max_row == 1 and sheet["A1"].value == "Nom de la base"
    assert sheet.auto_filter.ref.startswith("A1:") and sheet.freeze_panes == "A2"


def test_export_is_streamed(app, records):
    """Sent as it is produced (no length known in advance), in pieces."""
    resp = app.get("/ocsregistry/export.csv")
    assert resp.is_streamed and "Content-Length" not in resp.headers
    chunks = list(export.csv_stream({"user": ""}, {"lang": "fr"}, batch=1))
    assert len(chunks) == 3  # header, then one piece per record
    assert b"".join(chunks) == resp.data
    resp = app.get("/ocsregistry/export.xlsx")
    assert resp.is_streamed and "Content-Length" not in resp.headers
    assert zipfile.ZipFile(io.BytesIO(resp.data)).testzip() is None
    chunks = list(export.xlsx_stream(export.iter_rows({"user": ""}, {"lang": "fr"}), "fr",
                                     chunk_size=1024))
    assert len(chunks) > 1 and all(len(c) <= 1024 for c in chunks)


@pytest.mark.parametrize("url,mimetype", [
    ("/ocsregistry/export.csv", "text/csv"),
    ("/ocsregistry/export.xlsx", export.XLSX_MIMETYPE),
    ("/catalog.ttl", "text/turtle"),
    ("/dataset/ocs-ge2-grand-est.rdf", "application/rdf+xml"),
    ("/api/3/action/ocsregistry_map_data", "application/json"),
])
def test_non_html_responses_say_what_they_are(app, records, url, mimetype):
    resp = app.get(url)
    assert resp.status_code == 200
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.mimetype == mimetype
    if mimetype.startswith("text/") or mimetype.endswith(("+xml", "json")):
        assert resp.mimetype_params.get("charset", "").lower() == "utf-8", resp.headers
