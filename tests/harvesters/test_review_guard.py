"""A harvested record is re-read at its source: the "re-read" mark refuses it
here, like any edit (harvesters/auth.py), and its page shows no button."""
from __future__ import annotations

import pytest
from ckan.tests.helpers import call_action

from ..conftest import as_user
from .test_faults import harvested  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def test_reread_refuses_a_harvested_record(app, harvested, crige_grand_est):  # noqa: F811
    name = harvested["record"]["name"]
    shown = call_action("package_show", id=name)
    assert shown["organization"]["name"] == "geograndest"  # the CRIGE covering its region
    admin = crige_grand_est["admin"]["name"]
    refused = app.post("/api/3/action/ocsregistry_record_reread", json={"id": name},
                       status=403, **as_user(admin)).json
    assert "moissonnée" in refused["error"]["message"] and harvested["source"]["title"] in \
        refused["error"]["message"]
    app.post(f"/ocs/{name}/reread", status=403, **as_user(admin))
    assert "ocsregistry-reread" not in app.get(f"/ocs/{name}", **as_user(admin)).body
    after = call_action("package_show", id=name)
    assert after["metadata_modified"] == shown["metadata_modified"]
    assert after["info_updated"] == shown["info_updated"]
