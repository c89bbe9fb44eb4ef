"""Numbers of the field card through the API, as an editor sends them.

Every hostile value is refused (409) under its own field and nothing is
written; the record, its page and the DCAT catalogue keep answering. Values
written the French or the English way are read right, never silently changed.
"""
from __future__ import annotations

import pytest
from ckan.tests import factories as ckan_factories

from ..conftest import as_user
from ..factories import Crige, OcsRecord

pytestmark = pytest.mark.usefixtures("with_plugins", "non_clean_db")

NUMBER_FIELDS = ("mmu_m2", "amo_price", "production_price", "amo_duration_months",
                 "project_duration_months", "production_duration_months", "area_km2")
HOSTILE = [
    "1e5000", "1E+999999", "9" * 5000, "-1", "NaN", "Infinity", "-Infinity", "0x1F",
    "1_000", "12,34,5", "1.2.3,4", "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6", "douze",
    "1000000000000000000", "0.0000001", "", "   ", [], {"a": 1}, True, 1e300,
]
# (field, sent, served): French and English notation, spreadsheet floats
ACCEPTED = [
    ("mmu_m2", "1 200,5", 1200.5), ("mmu_m2", "1,200.5", 1200.5), ("mmu_m2", "1.200,5", 1200.5),
    ("area_km2", 57441.0, 57441), ("area_km2", "57 441", 57441),
    ("amo_duration_months", "6", 6), ("production_price", "1 250 000,50", 1250000.5),
]
TOO_LARGE = [("amo_duration_months", "601"), ("area_km2", "1 000 001"),
             ("production_price", "1000000001"), ("class_count", "10001"), ("level_count", "101")]


@pytest.fixture
def editor_record():
    editor = ckan_factories.User()
    crige = Crige(users=[{"name": editor["name"], "capacity": "editor"}])
    return {"editor": editor, "record": OcsRecord(owner_org=crige["id"])}


def _patch(app, who: dict, status: int, **fields):
    return app.post("/api/3/action/package_patch", json={"id": who["record"]["id"], **fields},
                    status=status, **as_user(who["editor"]["name"])).json


def _show(app, who: dict) -> dict:
    return app.get("/api/3/action/package_show", query_string={"id": who["record"]["id"]},
                   **as_user(who["editor"]["name"])).json["result"]


@pytest.mark.parametrize("field", NUMBER_FIELDS)
def test_hostile_numbers_are_refused_by_name_and_nothing_breaks(app, editor_record, field):
    before = _show(app, editor_record)
    refused = []
    for value in HOSTILE:
        if value in ("", "   "):
            continue  # empty clears the field: not an error
        body = _patch(app, editor_record, 409, **{field: value})
        assert list(body["error"]) == [field, "__type"] or list(body["error"]) == [field], \
            (value, body["error"])
        refused.append(value)
    assert len(refused) == len(HOSTILE) - 2
    after = _show(app, editor_record)
    assert after[field] == before[field] and after["metadata_modified"] == before["metadata_modified"]
    assert app.get(f"/ocs/{before['name']}").status_code == 200
    assert app.get("/catalog.ttl").status_code == 200


@pytest.mark.parametrize("field,sent,served", ACCEPTED)
def test_french_and_english_notation_are_read_right(app, editor_record, field, sent, served):
    _patch(app, editor_record, 200, **{field: sent})
    assert _show(app, editor_record)[field] == served


@pytest.mark.parametrize("field,sent", TOO_LARGE)
def test_each_field_has_a_sane_maximum(app, editor_record, field, sent):
    body = _patch(app, editor_record, 409, **{field: sent})
    assert list(body["error"]) in ([field], [field, "__type"]), body["error"]
    assert body["error"][field][0].startswith(("Must be at most", "Doit être au plus",
                                              "Ne doit pas dépasser"))
