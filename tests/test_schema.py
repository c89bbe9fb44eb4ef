"""The registry's dataset schema, through CKAN's actions against real services."""
from __future__ import annotations

import json

import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import call_action

from ckanext.ocsregistry import restricted
from .conftest import create_record, record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

# (field, bad value, key the error must be reported under)
BAD_VALUES = [
    ("title", "", "title"),
    ("name", "Pas Une Adresse!", "name"),
    ("internal_id", "an id with spaces", "internal_id"),
    ("region_code", "", "region_code"),
    ("region_code", "99", "region_code"),
    ("region_code", "91", "region_code"),
    ("former_region_codes", ["99"], "former_region_codes"),
    ("former_region_codes", ["44"], "former_region_codes"),
    ("former_region_codes", ["91"], "former_region_codes"),
    ("region_name", "Bretagne", "region_name"),
    ("ocs_characteristic", "", "ocs_characteristic"),
    ("ocs_characteristic", "blue", "ocs_characteristic"),
    ("vintages", [{"year": 1800, "status": "available"}], "vintages"),
    ("vintages", [{"year": "deux mille", "status": "available"}], "vintages"),
    ("vintages", [{"year": 2020, "status": "lost"}], "vintages"),
    ("vintages", [{"status": "available"}], "vintages"),
    ("dimensions", ["volume"], "dimensions"),
    ("class_count", "0", "class_count"),
    ("class_count", "2.5", "class_count"),
    ("class_count", "beaucoup", "class_count"),
    ("level_count", "-3", "level_count"),
    ("mmu_m2", "-1", "mmu_m2"),
    ("mmu_m2", "500 m2", "mmu_m2"),
    ("data_url", "ftp://example.org/ocs.zip", "data_url"),
    ("data_url", "javascript:alert(1)", "data_url"),
    ("viewer_url", "www.example.org", "viewer_url"),
    ("info_updated", "31/03/2024", "info_updated"),
    ("info_updated", "2024-02-30", "info_updated"),
    ("info_updated", "2999-01-01", "info_updated"),
    ("info_updated", "1800-01-01", "info_updated"),
    ("info_status", "sure", "info_status"),
    ("amo_exists", "maybe", "amo_exists"),
    ("amo_price", "-5", "amo_price"),
    ("amo_duration_months", "six", "amo_duration_months"),
    ("production_price", "NaN", "production_price"),
    ("production_price", "Infinity", "production_price"),
    ("project_duration_months", "-1", "project_duration_months"),
    ("production_duration_months", "-2", "production_duration_months"),
    ("area_km2", "-10", "area_km2"),
    ("funding_visibility", "secret", "funding_visibility"),
    ("contact_email", "pas-un-courriel", "contact_email"),
    ("review_frequency_months", "7", "review_frequency_months"),
]


def _package_count() -> int:
    return model.Session.query(model.Package).count()


def test_a_complete_record_saves_every_field(crige_grand_est):
    created = create_record(crige_grand_est)
    shown = call_action("package_show", context={"user": crige_grand_est["editor"]["name"]},
                        id=created["id"])

    assert shown["type"] == "ocs"
    assert shown["region_code"] == "44"
    assert shown["region_name"] == "Grand Est"
    assert shown["vintages"] == [
        {"year": 2010, "status": "available"},
        {"year": 2019, "status": "available", "note": "tous les départements"},
    ]
    assert shown["dimensions"] == ["land_cover", "land_use"]
    assert shown["producers"] == ["CLS", "TTI"]
    # numbers are served as JSON numbers, whatever form they came in
    assert shown["class_count"] == 52 and shown["level_count"] == 5
    assert shown["mmu_m2"] == 500 and shown["area_km2"] == 57441
    # restricted values live in the extension's table; read them as the extension does
    full = restricted.with_values(shown)
    assert full["production_price"] == 1250000.5 and full["amo_price"] == 45000
    assert shown["info_updated"] == "2024-03-31"
    for field in ("mmu", "imagery", "data_url", "viewer_url", "interpretation_scale",
                  "rendering_scale", "amo_exists", "amo_content", "amo_contractor",
                  "quality_control", "funders", "funding_details", "services_crige",
                  "services_viewer", "contact_name", "contact_email", "uses",
                  "review_frequency_months", "internal_id", "info_status",
                  "ocs_characteristic", "ocs_characteristic_detail"):
        assert full[field] == record()[field], field


def test_spatial_extent_is_derived_from_the_region(crige_grand_est):
    created = create_record(crige_grand_est)
    geometry = json.loads(created["spatial"])
    xs = [p[0] for p in geometry["coordinates"][0]]
    ys = [p[1] for p in geometry["coordinates"][0]]
    # Grand Est lies between Champagne and the Rhine
    assert 3 < min(xs) < 4 and 8 < max(xs) < 8.5
    assert 47 < min(ys) < 48 and 50 < max(ys) < 50.5


def test_former_regions_narrow_the_extent_and_name(crige_occitanie):
    created = create_record(crige_occitanie, name="ocsid", region_code="76",
                            former_region_codes=["91"], title="OCSID")
    assert created["former_region_codes"] == ["91"]
    assert created["region_name"] == "Occitanie (Languedoc-Roussillon)"
    xs = [p[0] for p in json.loads(created["spatial"])["coordinates"][0]]
    assert min(xs) > 1.5  # Languedoc-Roussillon only, not Midi-Pyrénées


def test_region_name_given_in_another_spelling_is_accepted(crige_occitanie):
    created = create_record(crige_occitanie, name="ocs-lr", region_code="76",
                            former_region_codes="91", region_name="languedoc roussillon")
    assert created["region_name"] == "Occitanie (Languedoc-Roussillon)"


def test_lenient_inputs_are_normalised(crige_grand_est):
    created = create_record(crige_grand_est, mmu_m2="1 200,5", area_km2=57441.0,
                            region_code="44", data_url="  https://example.org/ocs  ")
    assert created["mmu_m2"] == 1200.5
    assert created["area_km2"] == 57441
    assert created["data_url"] == "https://example.org/ocs"


def test_defaults_for_reliability_visibility_and_review(crige_grand_est):
    minimal = {"type": "ocs", "name": "minimal", "title": "Minimal",
               "owner_org": crige_grand_est["org"]["id"], "region_code": "44",
               "ocs_characteristic": "unknown"}
    created = call_action("package_create", context={"user": crige_grand_est["editor"]["name"]},
                          **minimal)
    assert created["info_status"] == "unverified"
    assert created["funding_visibility"] == "restricted"
    assert created["review_frequency_months"] == "12"


# The whole table is checked against the schema in logic/test_schema_validation.py;
# here one value of each kind goes through the action, to show nothing is written.
END_TO_END = [v for v in BAD_VALUES if v[0] in (
    "title", "region_code", "vintages", "mmu_m2", "data_url", "info_updated", "amo_price",
    "funders")][::2]


@pytest.mark.parametrize("field,value,error_key", END_TO_END)
def test_bad_value_is_refused_on_create_and_nothing_is_written(
        crige_grand_est, field, value, error_key):
    before = _package_count()
    with pytest.raises(tk.ValidationError) as err:
        create_record(crige_grand_est, **{field: value})
    assert error_key in err.value.error_dict, err.value.error_dict
    assert err.value.error_dict[error_key], err.value.error_dict
    assert _package_count() == before


@pytest.mark.parametrize("field,value,error_key", END_TO_END)
def test_bad_value_is_refused_on_update_and_the_record_is_unchanged(
        crige_grand_est, field, value, error_key):
    created = create_record(crige_grand_est)
    editor = {"user": crige_grand_est["editor"]["name"]}
    with pytest.raises(tk.ValidationError) as err:
        call_action("package_update", context=dict(editor),
                    **dict(created, **{field: value}))
    assert error_key in err.value.error_dict, err.value.error_dict
    model.Session.remove()
    after = call_action("package_show", context=dict(editor), id=created["id"])
    assert after == created


def test_error_messages_are_explicit(crige_grand_est):
    with pytest.raises(tk.ValidationError) as err:
        create_record(crige_grand_est, region_code="91", mmu_m2="-1",
                      data_url="ftp://x", info_updated="31/03/2024")
    errors = err.value.error_dict
    assert "Occitanie" in errors["region_code"][0] and "76" in errors["region_code"][0]
    assert errors["mmu_m2"] == [tk._("Must be a number of 0 or more")]
    assert "http" in errors["data_url"][0]
    assert "YYYY-MM-DD" in errors["info_updated"][0]


def test_record_outside_the_crige_regions_is_refused(crige_grand_est):
    with pytest.raises(tk.ValidationError) as err:
        create_record(crige_grand_est, region_code="53")
    assert "44" in err.value.error_dict["region_code"][0]


@pytest.mark.ckan_config("ckanext.ocsregistry.enforce_org_regions", "false")
def test_crige_region_check_can_be_switched_off(crige_grand_est):
    assert create_record(crige_grand_est, region_code="53")["region_code"] == "53"


def test_patch_keeps_the_other_fields(crige_grand_est):
    created = create_record(crige_grand_est)
    patched = call_action("package_patch", context={"user": crige_grand_est["editor"]["name"]},
                          id=created["id"], mmu_m2="300")
    assert patched["mmu_m2"] == 300
    assert patched["vintages"] == created["vintages"]
    assert restricted.with_values(patched)["funders"] == record()["funders"]


class TestOrganizationSchema:
    def test_crige_fields_save(self, sysadmin):
        org = call_action("organization_create", context={"user": sysadmin["name"]},
                          name="crige-test", title="CRIGE test", regions_covered=["76", "44"],
                          website="https://www.openig.org", contact_email="contact@openig.org",
                          catalogue_url="https://catalogue.openig.org")
        shown = call_action("organization_show", id=org["id"])
        assert shown["regions_covered"] == ["44", "76"]
        assert shown["website"] == "https://www.openig.org"
        assert shown["contact_email"] == "contact@openig.org"
        assert shown["catalogue_url"] == "https://catalogue.openig.org"

    @pytest.mark.parametrize("field,value", [
        ("regions_covered", ["91"]),
        ("regions_covered", ["99"]),
        ("website", "openig.org"),
        ("catalogue_url", "file:///etc/passwd"),
        ("contact_email", "contact at openig"),
    ])
    def test_bad_crige_values_are_refused(self, sysadmin, field, value):
        with pytest.raises(tk.ValidationError) as err:
            call_action("organization_create", context={"user": sysadmin["name"]},
                        name="crige-bad", title="CRIGE", **{field: value})
        assert field in err.value.error_dict
        assert model.Group.get("crige-bad") is None
