"""Validators as plain functions."""
from __future__ import annotations

import datetime
import json

import pytest
from ckan.lib.navl.dictization_functions import missing
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry.logic import validators as v


@pytest.mark.parametrize("value,expected", [
    ("https://ocs.geograndest.fr/explore", "https://ocs.geograndest.fr/explore"),
    ("  http://example.org  ", "http://example.org"),
    ("", ""),
    # IRIs as French writers type them are kept in their URI form
    ("https://www.géo.fr/données?année=2019",
     "https://www.xn--go-bja.fr/donn%C3%A9es?ann%C3%A9e=2019"),
    ("https://a.example/x?q=a%20b&c=d#part", "https://a.example/x?q=a%20b&c=d#part"),
    ("https://a.example:8443/", "https://a.example:8443/"),
    ("https://[2001:db8::1]/wms", "https://[2001:db8::1]/wms"),
])
def test_url_accepts(value, expected):
    assert v.ocsregistry_url(value) == expected


@pytest.mark.parametrize("value,says", [
    ("ftp://x.org", "http://"), ("javascript:alert(1)", "http://"), ("example.org", "http://"),
    ("http://", "server name"), ("http://exa mple.org", "%20"),
    ("https://t.example/{z}/{x}/{y}.png", "%7B"), ("https://a..example/", "server name"),
    ("https://a.example/%zz", "hexadecimal"), ("https://u:p@a.example/", "password"),
    ("https://a.example:70000/", "port"), ("https://a.example/\u202e", "control"),
    ("https://a.example/" + "x" * 2000, "2,000"), (["https://a.example"], "http://"),
])
def test_url_refuses(value, says):
    with pytest.raises(tk.Invalid) as refused:
        v.ocsregistry_url(value)
    assert says in refused.value.error


@pytest.mark.parametrize("value,expected", [
    ("1200", "1200"), ("1 200,50", "1200.5"), (12.0, "12"), ("0", "0"),
    ("\u202f45\u202f000", "45000"), ("1,200.5", "1200.5"), ("1.200,5", "1200.5"),
])
def test_non_negative_number(value, expected):
    assert v.ocsregistry_non_negative_number(value) == expected


@pytest.mark.parametrize("value", ["-1", "abc", "NaN", "Infinity", True, "1,2,3", "1e3",
                                   "9" * 16, "0.0000001"])
def test_non_negative_number_refuses(value):
    with pytest.raises(tk.Invalid):
        v.ocsregistry_non_negative_number(value)


@pytest.mark.parametrize("value", ["0", "1.5", "-2", "x"])
def test_positive_int_refuses(value):
    with pytest.raises(tk.Invalid):
        v.ocsregistry_positive_int(value)


def test_positive_int_and_number_output():
    assert v.ocsregistry_positive_int("52") == "52"
    assert v.ocsregistry_number_output("52") == 52
    assert v.ocsregistry_number_output("1200.5") == 1200.5
    assert v.ocsregistry_number_output("n/a") == "n/a"
    assert v.ocsregistry_number_output("") == ""


@pytest.mark.usefixtures("with_plugins")
def test_year_range():
    this_year = datetime.date.today().year
    assert v.ocsregistry_year("2019") == 2019
    assert v.ocsregistry_year(this_year + 10) == this_year + 10
    for bad in ("1949", str(this_year + 11), "20x9"):
        with pytest.raises(tk.Invalid):
            v.ocsregistry_year(bad)


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckanext.ocsregistry.earliest_year", "1980")
def test_earliest_year_is_configurable():
    with pytest.raises(tk.Invalid):
        v.ocsregistry_year("1979")
    assert v.ocsregistry_year("1980") == 1980


@pytest.mark.usefixtures("with_plugins")
def test_iso_date():
    assert v.ocsregistry_iso_date("2024-03-31") == "2024-03-31"
    assert v.ocsregistry_iso_date("2024-03-31T10:00:00") == "2024-03-31"
    assert v.ocsregistry_iso_date(datetime.date(2020, 1, 2)) == "2020-01-02"
    tomorrow_plus = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    for bad in ("31/03/2024", "2024-02-30", "2024-03-31X", tomorrow_plus, "1900-01-01"):
        with pytest.raises(tk.Invalid):
            v.ocsregistry_iso_date(bad)


def test_identifier():
    assert v.ocsregistry_identifier(" GE-2019.v2 ") == "GE-2019.v2"
    for bad in ("-start", "with space", "x" * 65, "é"):
        with pytest.raises(tk.Invalid):
            v.ocsregistry_identifier(bad)


def test_region_codes():
    assert v.ocsregistry_current_region_code("76") == "76"
    assert v.ocsregistry_current_region_code("1") == "01"
    with pytest.raises(tk.Invalid, match="Occitanie"):
        v.ocsregistry_current_region_code("91")
    with pytest.raises(tk.Invalid):
        v.ocsregistry_current_region_code("99")
    assert json.loads(v.ocsregistry_merged_region_codes("91; 73")) == ["73", "91"]
    assert json.loads(v.ocsregistry_merged_region_codes('["91"]')) == ["91"]
    assert json.loads(v.ocsregistry_merged_region_codes([])) == []
    with pytest.raises(tk.Invalid):
        v.ocsregistry_merged_region_codes(["76"])
    assert json.loads(v.ocsregistry_current_region_codes(["76", "44", "76"])) == ["44", "76"]
    with pytest.raises(tk.Invalid):
        v.ocsregistry_current_region_codes(["91"])


def _run_region_fields(data):
    flat = {(k,): val for k, val in data.items()}
    errors = {(k,): [] for k in ("region_code", "former_region_codes", "region_name", "spatial")}
    v.ocsregistry_region_fields(("__before",), flat, errors, {})
    return flat, {k[0]: e for k, e in errors.items() if e}


@pytest.mark.usefixtures("with_plugins")
def test_region_fields_derives_name_and_extent():
    flat, errors = _run_region_fields({"region_code": "76", "former_region_codes": ["91"]})
    assert errors == {}
    assert flat[("region_name",)] == "Occitanie (Languedoc-Roussillon)"
    assert json.loads(flat[("spatial",)])["type"] == "Polygon"


@pytest.mark.usefixtures("with_plugins")
def test_region_fields_reports_inconsistencies_under_each_field():
    _, errors = _run_region_fields({"region_code": "44", "former_region_codes": ["91"],
                                    "region_name": "Bretagne"})
    assert "Occitanie" in errors["former_region_codes"][0]
    assert "Grand Est" in errors["region_name"][0]


@pytest.mark.usefixtures("with_plugins")
def test_region_fields_leaves_bad_codes_to_the_field_validator():
    flat, errors = _run_region_fields({"region_code": "99", "region_name": "x"})
    assert errors == {} and flat[("region_name",)] == "x" and ("spatial",) not in flat


def test_missing_values_pass_through():
    for validator in (v.ocsregistry_url, v.ocsregistry_year, v.ocsregistry_non_negative_number,
                      v.ocsregistry_iso_date, v.ocsregistry_identifier,
                      v.ocsregistry_current_region_code, v.ocsregistry_merged_region_codes):
        assert validator(missing) is missing
