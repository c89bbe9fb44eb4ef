"""CSV and Excel export: content, filters and permissions."""
from __future__ import annotations

import csv
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
                  vintages=[{"year": 2012, "status": "available", "note": "Aude; P.-O. (66)"}])


def test_csv_rows_in_french(app, records):
    resp, rows = _csv(app)
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="registre-ocs-' in resp.headers["Content-Disposition"]
    assert [r["Adresse (URL)"] for r in rows] == ["ocs-ge2-grand-est", "ocsid"]
    grand_est, ocsid = rows
    assert grand_est["Code INSEE de la région"] == "44"
    assert grand_est["Caractéristique de l'OCS"] == "OCS régionale spécifique"
    assert grand_est["Millésimes"] == "2010 Disponible; 2019 Disponible (tous les départements)"
    assert grand_est["Dimensions"] == "Couverture du sol; Usage du sol"
    assert grand_est["Prestataire(s) de production"] == "CLS; TTI"
    assert grand_est["UMC principale (m²)"] == "500"
    assert grand_est["CRIGE"] == "geograndest"
    assert grand_est["Fiche du registre"].endswith("/ocs/ocs-ge2-grand-est")
    # a ";" inside a value survives the list separator
    assert ocsid["Millésimes"] == "2012 Disponible (Aude\\; P.-O. (66))"
    assert ocsid["Anciennes régions couvertes (avant 2016)"] == "91"


def test_csv_in_english(app, records):
    _resp, rows = _csv(app, lang="en")
    assert rows[0]["OCS characteristic"] == "Region-specific OCS"
    assert rows[0]["Vintages"].startswith("2010 Available")


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
    ({"ext_vintage_from": "2015"}, ["ocs-ge2-grand-est"]),
    ({"ext_bbox": "2.5,42.5,3.5,43.5"}, ["ocsid"]),
])
def test_export_honours_the_search_filters(app, records, params, expected):
    assert [r["Adresse (URL)"] for r in _csv(app, **params)[1]] == expected


@pytest.mark.parametrize("params", [{"lang": "de"}, {"ext_vintage_to": "x"}, {"ext_bbox": "1,2"}])
def test_bad_parameters_are_refused(app, params):
    resp = app.get("/ocsregistry/export.csv", query_string=params)
    assert resp.status_code == 400
    assert list(params)[0] in resp.body


def test_xlsx_has_the_same_rows_as_csv(app, records):
    _resp, rows = _csv(app)
    resp = app.get("/ocsregistry/export.xlsx")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(resp.get_data()), read_only=True)
    sheet = list(book.worksheets[0].iter_rows(values_only=True))
    header, data = sheet[0], sheet[1:]
    assert list(header) == list(rows[0].keys())
    for csv_row, xlsx_row in zip(rows, data):
        as_text = ["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                   for v in xlsx_row]
        assert as_text == list(csv_row.values())
    assert len(data) == len(rows)


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
