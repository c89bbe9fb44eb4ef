"""From a remote record to a local one; validation errors field by field."""
from __future__ import annotations

import pytest

from ckanext.ocsregistry.harvesters import record_mapping

from ..conftest import RESTRICTED_VALUES, record


def test_errors_name_each_field_and_vintage():
    text = record_mapping.describe_errors({
        "region_code": ["Unknown code 99"],
        "vintages": [{}, {"year": ["Must be a year"], "status": ["Missing value"]}],
        "title": [],
    })
    assert text == ("region_code: Unknown code 99; vintages 2 year: Must be a year; "
                    "vintages 2 status: Missing value")


@pytest.mark.usefixtures("with_plugins")
def test_only_public_schema_fields_are_kept():
    remote = dict(record(), id="remote-id", owner_org="remote-org", private=True,
                  num_resources=1, extras=[{"key": "x", "value": "y"}],
                  resources=[{"url": "https://example.org/a.zip", "name": "A", "id": "r1",
                              "datastore_active": False}])
    local = record_mapping.to_local(remote, "local-org")
    assert local["owner_org"] == "local-org" and local["type"] == "ocs"
    assert "id" not in local and "private" not in local and "extras" not in local
    assert local["resources"] == [{"url": "https://example.org/a.zip", "name": "A"}]
    for field in RESTRICTED_VALUES:
        assert field not in local
    assert local["vintages"] == remote["vintages"]
