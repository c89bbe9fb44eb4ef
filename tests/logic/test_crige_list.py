"""The CRIGE list the map's filter offers: every active organisation, past
CKAN's limit of 25 for organization_list with all_fields, in one query."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_every_active_crige_is_listed_sorted_by_title_for_anyone(app, sysadmin):
    titles = [f"CRIGE {i:02d}" for i in range(30)] + ["a lower-case title", "Échelle"]
    for i, title in enumerate(titles):
        factories.Organization(name=f"crige-{i:02d}", title=title)
    gone = factories.Organization(name="gone", title="AAA gone")
    call_action("organization_delete", context={"user": sysadmin["name"]}, id=gone["id"])

    response = app.get("/api/3/action/ocsregistry_crige_list")  # anonymous
    listed = response.json["result"]
    assert [o["title"] for o in listed] == sorted(titles, key=str.casefold)
    assert {"name": "crige-30", "title": "a lower-case title"} in listed
    assert "gone" not in {o["name"] for o in listed}

    page = BeautifulSoup(app.get("/ocsregistry/map").body, "html.parser")
    offered = [o.get("value") for o in page.select("#f-crige option") if o.get("value")]
    assert offered == [o["name"] for o in listed] and len(offered) == 32
