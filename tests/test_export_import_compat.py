"""The export's read-only columns and the files of earlier versions, read back by
``ckan ocsregistry import``."""
from __future__ import annotations

import csv
import io

import pytest
from ckan.cli.cli import ckan
from ckan.tests.helpers import call_action

from ckanext.ocsregistry.table import columns
from .conftest import create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "with_extended_cli", "clean_db", "clean_index")

NAMES = ["ocs-ge2-grand-est", "ocsid"]
# Headers of columns the previous version did not write
NEW_HEADERS = {"Premier millésime", "Dernier millésime disponible", "Prochain millésime prévu",
               "Dernière modification de la fiche (UTC)"}


@pytest.fixture
def records(crige_grand_est, crige_occitanie):
    create_record(crige_grand_est)
    create_record(crige_occitanie, name="ocsid", title="OCSID", region_code="76",
                  former_region_codes=["91"], ocs_characteristic="ocs_ge_improved",
                  vintages=[{"year": 2012, "status": "available"},
                            {"year": 2018, "status": "available"},
                            {"year": 2026, "status": "planned", "note": "mise à jour"}])
    return NAMES


def _rows(app, **params):
    data = app.get("/ocsregistry/export.csv", query_string=params).get_data()
    delimiter = ";" if params.get("lang", "fr") == "fr" else ","
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def _write(tmp_path, rows, delimiter=";"):
    path = tmp_path / "registre.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def _show(sysadmin):
    return {n: call_action("package_show", context={"user": sysadmin["name"]}, id=n) for n in NAMES}


def _import(cli, path):
    return cli.invoke(ckan, ["ocsregistry", "import", str(path)])


def test_a_file_of_the_previous_version_imports_unchanged(app, cli, tmp_path, records, sysadmin):
    """Organisation slugs, former regions as codes, bare region codes, the old
    "Région" text, and none of the new columns."""
    rows = _rows(app)
    header = rows[0]
    keep = [i for i, h in enumerate(header) if h not in NEW_HEADERS]
    col = {h: i for i, h in enumerate(header)}
    old = [[header[i] for i in keep]]
    slugs = {"GéoGrandEst": "geograndest", "OPenIG": "openig"}
    for row in rows[1:]:
        row = list(row)
        row[col["CRIGE"]] = slugs[row[col["CRIGE"]]]
        row[col["Code INSEE de la région"]] = row[col["Code INSEE de la région"]].split(" – ")[0]
        former = row[col["Anciennes régions couvertes (avant 2016)"]]
        row[col["Anciennes régions couvertes (avant 2016)"]] = "91" if former else ""
        if row[col["Adresse (URL)"]] == "ocsid":
            row[col["Région"]] = "Occitanie (Languedoc-Roussillon)"
        old.append([row[i] for i in keep])
    before = _show(sysadmin)
    result = _import(cli, _write(tmp_path, old))
    assert result.exit_code == 0, result.output
    assert "0 to create, 0 to update, 2 unchanged" in result.output
    assert _show(sysadmin) == before


def test_read_only_columns_are_ignored_and_names_are_read(app, cli, tmp_path, records, sysadmin):
    """Edited summary columns change nothing; a region or a CRIGE given by its
    name is read as its code; a code a spreadsheet stripped of its zero too."""
    rows = _rows(app, lang="en")
    col = {h: i for i, h in enumerate(rows[0])}
    ocsid = next(r for r in rows[1:] if "ocsid" in r)
    ocsid[col["First vintage"]] = "1999"
    ocsid[col["Next planned vintage"]] = "not a year"
    ocsid[col["Region"]] = "Bretagne"
    ocsid[col["Former regions covered (before 2016)"]] = "languedoc roussillon"
    ocsid[col["INSEE code of the region"]] = "Occitanie"
    ocsid[col["CRIGE"]] = "openig"
    before = _show(sysadmin)
    result = _import(cli, _write(tmp_path, rows, delimiter=","))
    assert result.exit_code == 0, result.output
    assert "0 to create, 0 to update, 2 unchanged" in result.output
    assert _show(sysadmin) == before


def test_an_unknown_organisation_title_is_refused_naming_the_column(app, cli, tmp_path, records):
    rows = _rows(app)
    col = {h: i for i, h in enumerate(rows[0])}
    rows[1][col["CRIGE"]] = "CRIGE imaginaire"
    result = _import(cli, _write(tmp_path, rows))
    assert result.exit_code == 1
    assert "owner_org" in result.output and 'column 3 "CRIGE"' in result.output, result.output


def test_region_code_cells():
    assert columns.region_code("01 – Guadeloupe") == "01"
    assert columns.region_code("1") == "01"
    assert columns.region_code("76") == "76"
    assert columns.region_code("occitanie") == "76"
    assert columns.region_code("Provence-Alpes-Côte d'Azur") == "93"
    assert columns.region_code("Atlantide") == "Atlantide"  # the validator names it
    assert columns.former_region_code("Languedoc-Roussillon") == "91"
    assert columns.former_region_code("91") == "91"
