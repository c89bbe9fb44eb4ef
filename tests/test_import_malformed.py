"""``ckan ocsregistry import`` on malformed files (issue #10): each gets a clear
message naming the line and column (or what is wrong with the file), a non-zero
exit code, never a traceback, the same report in a dry run, and nothing written."""
from __future__ import annotations

import csv
import io
import random
import time
import zipfile

import pytest
from ckan.cli.cli import ckan
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import call_action

from .conftest import create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "with_extended_cli", "clean_db", "clean_index")

NAMES = ["ocs-ge2-grand-est", "ocsid"]


@pytest.fixture
def records(crige_grand_est, crige_occitanie):
    create_record(crige_grand_est)
    create_record(crige_occitanie, name="ocsid", title="OCSID", region_code="76",
                  ocs_characteristic="ocs_ge_improved",
                  vintages=[{"year": 2012, "status": "available", "note": "Aude; P.-O. (66)"}])
    return NAMES


@pytest.fixture
def exports(app, records):
    """The registry exported as CSV and .xlsx, as a user would start from it."""
    out = {}
    for fmt in ("csv", "xlsx"):
        resp = app.get(f"/ocsregistry/export.{fmt}")
        assert resp.status_code == 200
        out[fmt] = resp.get_data()
    return out


def _rows(exports) -> list[list[str]]:
    return list(csv.reader(io.StringIO(exports["csv"].decode("utf-8-sig")), delimiter=";"))


def _csv_text(rows) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _col(rows, header) -> int:
    return rows[0].index(header)


def _edited(exports, edits: dict[tuple[int, str], str]) -> list[list[str]]:
    rows = _rows(exports)
    for (line, header), value in edits.items():
        rows[line - 1][_col(rows, header)] = value
    return rows


def _place(rows, header) -> str:
    return f'column {_col(rows, header) + 1} "{header}"'


# Each case: (file name, content from the exports) -> the file's bytes and the
# messages the report must contain, the first of them on its first line.

def corrupt_xlsx(exports):
    return "registre.xlsx", random.Random(10).randbytes(4096), ["not an .xlsx workbook"]


def zip_of_garbage(exports):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/workbook.xml", random.Random(11).randbytes(500))
    return "registre.xlsx", buffer.getvalue(), ["the .xlsx workbook is damaged or incomplete"]


def truncated_xlsx(exports):
    data = exports["xlsx"]
    return "registre.xlsx", data[:len(data) // 2], ["the .xlsx workbook is damaged or incomplete"]


def empty_csv(exports):
    return "registre.csv", b"", ["the file is empty"]


def empty_xlsx(exports):
    return "registre.xlsx", b"", ["the file is empty"]


def csv_renamed_xlsx(exports):
    return "registre.xlsx", exports["csv"], ["a text file, not an .xlsx workbook", "rename it to .csv"]


def xlsx_renamed_csv(exports):
    return "registre.csv", exports["xlsx"], ["an .xlsx workbook (a zip archive), not CSV text"]


def latin1_export(exports):
    # the header itself has accents ("Caractéristique de l'OCS"): line 1
    data = exports["csv"].decode("utf-8-sig").encode("cp1252")
    return "registre.csv", data, ["line 1: the file is not UTF-8", "CSV UTF-8"]


def latin1_row(exports):
    text = "name;title;region_code\r\nocs-a;OCS A;44\r\nocs-b;OCS Pays de la Loire Atlantique;52\r\n" \
           "ocs-c;OCS Région Île-de-France;11\r\n"
    return "registre.csv", text.encode("cp1252"), ["line 4: the file is not UTF-8", '"é"']


def nul_in_a_cell(exports):
    rows = _edited(exports, {(2, "Nom de la base"): "OCS\x00GE2"})
    return "registre.csv", _csv_text(rows).encode(), [
        "registre.csv:2 (ocs-ge2-grand-est) title: contains a NUL character (byte 0), "
        "which cannot be stored - "
        + _place(rows, "Nom de la base")]


def cells_beyond_the_header(exports):
    rows = _rows(exports)
    width = len(rows[0])
    rows[2] += ["", "en trop"]
    return "registre.csv", _csv_text(rows).encode(), [
        f'registre.csv:3 (ocsid) column {width + 2}: a value beyond the last column ("en trop"; '
        f"the header has {width} columns)"]


def unquoted_delimiter(exports):
    rows = _rows(exports)
    lines = _csv_text(rows).split("\r\n")
    # a hand-edited line: the description "Visionneuse; indicateurs" not quoted, split in two
    new = list(rows[2])
    new[_col(rows, "Adresse (URL)")] = "ocsid-2"
    new[_col(rows, "Description")] = "Visionneuse; indicateurs"
    lines.insert(3, ";".join(new))
    width = len(rows[0])
    # the first cell pushed beyond the header by the splits (which one depends on the columns)
    beyond = next(v for v in next(csv.reader([";".join(new)], delimiter=";"))[width:] if v.strip())
    assert beyond != new[-1]
    # the split is named first: it explains the errors of the shifted cells after it
    return "registre.csv", "\r\n".join(lines).encode(), [
        f'registre.csv:4 (ocsid-2) column {width + 1}: a value beyond the last column '
        f'("{beyond}"; the header has {width} columns) - a ";" inside a value '
        'must be quoted ("...;...")']


def three_bad_fields(exports):
    rows = _edited(exports, {(2, "UMC principale (m²)"): "-3",
                             (2, "Lien vers les données"): "ftp://x",
                             (2, "Caractéristique de l'OCS"): "OCS lunaire"})
    return "registre.csv", _csv_text(rows).encode(), [
        "registre.csv:2 (ocs-ge2-grand-est) ocs_characteristic: expected one of: ",
        _place(rows, "Caractéristique de l'OCS"),
        "registre.csv:2 (ocs-ge2-grand-est) mmu_m2: Must be a number of 0 or more - "
        + _place(rows, "UMC principale (m²)"),
        "registre.csv:2 (ocs-ge2-grand-est) data_url: ",
        _place(rows, "Lien vers les données"),
        "1 row(s) with errors"]


def bad_vintage_year(exports):
    rows = _edited(exports, {(3, "Millésimes"): "2012 Disponible; 1800 Disponible"})
    return "registre.csv", _csv_text(rows).encode(), [
        "registre.csv:3 (ocsid) vintages: 2e millésime, Année: Must be a year between 1950 and ",
        " - " + _place(rows, "Millésimes")]


def bad_vintage_text(exports):
    rows = _edited(exports, {(3, "Millésimes"): "2012 Disponible; deux mille; 2020 Bientôt"})
    return "registre.csv", _csv_text(rows).encode(), [
        'registre.csv:3 (ocsid) vintages: 2e millésime "deux mille": expected "year status (note)"',
        " - " + _place(rows, "Millésimes")]


def unclosed_quote(exports):
    rows = _rows(exports)
    text = _csv_text(rows) + 'ocs-x;"OCS X\r\n'  # the quote never closed
    return "registre.csv", text.encode(), [
        'line 4: a quote (") opened in this row is never closed']


def quote_in_quoted_value(exports):
    text = _csv_text(_rows(exports)) + 'ocs-x;"OCS "X" Y";44\r\n'
    return "registre.csv", text.encode(), [
        'line 4: a quoted value is followed by other text before the next ";"']


def utf16_text(exports):
    return "registre.csv", exports["csv"].decode("utf-8-sig").encode("utf-16"), [
        "UTF-16 text", "CSV UTF-8"]


def xls_renamed(exports):
    return "registre.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), [
        "an old Excel .xls workbook"]


def cell_over_the_csv_limit(exports):
    rows = _edited(exports, {(3, "Description"): "x" * 200_000})
    return "registre.csv", _csv_text(rows).encode(), [
        "line 3: a cell is longer than 131,072 characters"]


def name_with_search_syntax(exports):
    # never put into the search query that looks records up: refused by the schema
    rows = _edited(exports, {(3, "Adresse (URL)"): 'ocsid" OR name:"x'})
    return "registre.csv", _csv_text(rows).encode(), [
        'registre.csv:3 (ocsid" OR name:"x) name: Must be purely lowercase alphanumeric',
        _place(rows, "Adresse (URL)")]


CASES = [corrupt_xlsx, zip_of_garbage, truncated_xlsx, empty_csv, empty_xlsx, csv_renamed_xlsx,
         xlsx_renamed_csv, latin1_export, latin1_row, nul_in_a_cell, cells_beyond_the_header,
         unquoted_delimiter, three_bad_fields, bad_vintage_year, bad_vintage_text, unclosed_quote,
         quote_in_quoted_value, utf16_text, xls_renamed, cell_over_the_csv_limit,
         name_with_search_syntax]


def _import(cli, path, *args):
    return cli.invoke(ckan, ["ocsregistry", "import", str(path), *args])


def _stored(names, sysadmin):
    """What is stored: the search count and every named record as shown."""
    count = call_action("package_search", include_private=True)["count"]
    return count, {n: call_action("package_show", context={"user": sysadmin["name"]}, id=n)
                   for n in names}


def _refused(cli, path, expected):
    """The report of a refused file; the dry run and the write say the same."""
    dry = _import(cli, path, "--dry-run")
    result = _import(cli, path)
    for run in (dry, result):
        assert run.exit_code == 1, run.output
        assert "Traceback" not in run.output, run.output
        # an exception the command did not turn into a message would be here
        assert isinstance(run.exception, SystemExit), (run.exception, run.output)
        for message in expected:
            assert message in run.output, run.output
    assert dry.output == result.output
    return result.output


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_malformed_file_is_refused_with_a_clear_message(cli, tmp_path, exports, sysadmin, case):
    name, content, expected = case(exports)
    path = tmp_path / name
    path.write_bytes(content)
    before = _stored(NAMES, sysadmin)
    output = _refused(cli, path, expected)
    assert expected[0] in output.splitlines()[0]
    assert "{'" not in output and "[{" not in output  # no raw dict of errors
    assert _stored(NAMES, sysadmin) == before


def test_every_bad_cell_of_a_row_and_every_bad_row_are_listed(cli, tmp_path, exports, sysadmin):
    rows = _edited(exports, {(2, "UMC principale (m²)"): "-3",
                             (2, "Caractéristique de l'OCS"): "OCS lunaire",
                             (3, "Millésimes"): "deux mille",
                             (3, "Lien vers les données"): "ftp://x"})
    path = tmp_path / "registre.csv"
    path.write_bytes(_csv_text(rows).encode())
    output = _refused(cli, path, ["registre.csv:2 (ocs-ge2-grand-est) mmu_m2",
                                  "registre.csv:2 (ocs-ge2-grand-est) ocs_characteristic",
                                  "registre.csv:3 (ocsid) vintages",
                                  "registre.csv:3 (ocsid) data_url",
                                  "2 row(s) with errors"])
    lines = output.splitlines()
    # in the order of the file's columns
    assert [field for line in lines if "(ocs-ge2-grand-est)" in line
            for field in [line.split(") ", 1)[1].split(":")[0]]] == ["ocs_characteristic", "mmu_m2"]
    # every row message names its column
    assert all(" - column " in line for line in output.splitlines() if line.startswith(str(path) + ":"))


def test_a_field_without_column_is_named(cli, tmp_path, records, sysadmin):
    """A new record needs a title: the file has no title column, the message says so."""
    path = tmp_path / "registre.csv"
    path.write_text(_csv_text([["Adresse (URL)", "Code INSEE de la région"], ["ocs-neuf", "44"]]),
                    encoding="utf-8")
    _refused(cli, path, ['registre.csv:2 (ocs-neuf) title: Missing value - '
                         'no "Nom de la base" column in the file'])
    assert call_action("package_search", q="name:ocs-neuf")["count"] == 0


def test_headers_errors_name_every_column(cli, tmp_path, records):
    path = tmp_path / "registre.csv"
    path.write_text(_csv_text([["Adresse (URL)", "Colonne X", "name", "Colonne\x1bY", "", ""],
                               ["ocsid", "", "", "", "", ""]]), encoding="utf-8")
    output = _refused(cli, path, ['column 2: unknown column "Colonne X"',
                                  'column 3: column "name" appears twice (already column 1)',
                                  'column 4: unknown column "Colonne\\x1bY"'])
    assert "\x1b" not in output
    assert "column 5" not in output  # empty headers on the right are ignored


def _bulk(exports, count: int) -> list[list[str]]:
    """The header and ``count`` new valid records made from the export's second row."""
    rows = _rows(exports)
    name = _col(rows, "Adresse (URL)")
    out = [rows[0]]
    for i in range(count):
        row = list(rows[2])
        row[name] = f"ocs-bulk-{i:05d}"
        out.append(row)
    return out


def test_5000_valid_rows_and_one_bad_row_write_nothing(cli, tmp_path, exports, sysadmin):
    rows = _bulk(exports, 5000)
    bad = list(rows[-1])
    bad[_col(rows, "Adresse (URL)")] = "ocs-bulk-bad"
    bad[_col(rows, "Code INSEE de la région")] = "99"
    rows.append(bad)
    path = tmp_path / "registre.csv"
    path.write_bytes(_csv_text(rows).encode())
    before = _stored(NAMES, sysadmin)
    start = time.perf_counter()
    result = _import(cli, path)
    elapsed = time.perf_counter() - start
    print(f"5,001 rows checked in {elapsed:.1f} s")
    assert result.exit_code == 1, result.output
    assert "registre.csv:5002 (ocs-bulk-bad) region_code" in result.output
    # all 5,000 good rows were checked as creates, the bad one blocks them
    assert "Nothing was written: 5000 to create, 0 to update, 0 unchanged; 1 row(s) with errors" \
        in result.output
    assert _stored(NAMES, sysadmin) == before
    assert call_action("package_search", q="name:ocs-bulk-00000")["count"] == 0


@pytest.mark.parametrize("failure", ["database", "validation"])
def test_a_failure_during_the_write_is_reported_and_rolled_back(
        cli, tmp_path, exports, sysadmin, monkeypatch, failure):
    """What the checks cannot foresee (the database refusing a row, a record
    created meanwhile): the first record was already sent to the database, all
    is rolled back, and the report says which row, without a traceback."""
    rows = _bulk(exports, 2)
    path = tmp_path / "registre.csv"
    path.write_bytes(_csv_text(rows).encode())
    real_get_action = tk.get_action
    calls = []

    def failing_create(context, data):
        calls.append(data["name"])
        if len(calls) == 2:
            if failure == "database":
                raise RuntimeError("could not extend file: No space left on device\nSQL: INSERT")
            raise tk.ValidationError({"name": ["That URL is already in use."]})
        return real_get_action("package_create")(context, data)

    monkeypatch.setattr(tk, "get_action", lambda name: failing_create
                        if name == "package_create" else real_get_action(name))
    before = _stored(NAMES, sysadmin)
    result = _import(cli, path)
    assert calls == ["ocs-bulk-00000", "ocs-bulk-00001"]
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    if failure == "database":
        assert ("registre.csv: line 3 (ocs-bulk-00001) could not be written: RuntimeError: "
                "could not extend file: No space left on device; nothing was written") in result.output
        assert "SQL: INSERT" not in result.output
    else:
        assert ('registre.csv:3 (ocs-bulk-00001) name: That URL is already in use. - '
                + _place(rows, "Adresse (URL)")) in result.output
    monkeypatch.undo()
    assert _stored(NAMES, sysadmin) == before
    with pytest.raises(tk.ObjectNotFound):
        call_action("package_show", id="ocs-bulk-00000")
