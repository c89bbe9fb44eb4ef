"""The registry's own actions."""
from __future__ import annotations

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_current_regions():
    listed = call_action("ocsregistry_region_list", context={"user": ""})
    assert len(listed) == 18
    occitanie = next(r for r in listed if r["code"] == "76")
    assert occitanie["name"] == "Occitanie"
    assert occitanie["predecessors"] == ["73", "91"]
    west, south, east, north = occitanie["bbox"]
    assert -1 < west < 0 and 42 < south < 43 and 4 < east < 5 and 44.5 < north < 45.5


def test_pre_2016_regions():
    listed = call_action("ocsregistry_region_list", context={"user": ""}, era="pre-2016")
    codes = {r["code"] for r in listed}
    assert len(listed) == 27  # 22 metropolitan regions and 5 overseas
    assert {"91", "73", "53", "94"} <= codes and "76" not in codes


def test_bad_era_is_refused_with_the_field_named():
    with pytest.raises(tk.ValidationError) as err:
        call_action("ocsregistry_region_list", era="1789")
    assert "era" in err.value.error_dict


def test_region_list_over_http(app):
    resp = app.get("/api/3/action/ocsregistry_region_list", query_string={"era": "2016"})
    assert resp.status_code == 200
    assert len(resp.json["result"]) == 18
