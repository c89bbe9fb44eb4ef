"""Only a sysadmin makes an organisation a CRIGE of the registry.

An organisation is recognised when its "regions covered" are set, which only a
sysadmin may do; records are accepted only from recognised organisations and
about their regions. Every write below goes through the HTTP API with the
user's own token.
"""
from __future__ import annotations

import pytest
from ckan.tests import factories

from ..conftest import record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _api(app, action: str, user: dict | None, **data):
    headers = {"Authorization": factories.APIToken(user=user["name"])["token"]} if user else {}
    return app.post(f"/api/3/action/{action}", json=data, headers=headers)


def _regions(app, org_id: str) -> list[str]:
    return _api(app, "organization_show", None, id=org_id).json["result"].get("regions_covered")


def test_a_crige_admin_cannot_add_regions_to_its_own_crige(app, crige_grand_est):
    org_id = crige_grand_est["org"]["id"]
    for action in ("organization_patch", "organization_update"):
        data = {"id": org_id, "regions_covered": ["44", "76"]}
        if action == "organization_update":
            data["name"] = crige_grand_est["org"]["name"]
        response = _api(app, action, crige_grand_est["admin"], **data)
        assert response.status_code == 409, response.json
        assert response.json["error"]["regions_covered"] == [
            "Seul un administrateur du site peut renseigner les régions couvertes par un CRIGE"]
    assert _regions(app, org_id) == ["44"]


def test_a_crige_admin_still_edits_its_description_and_keeps_its_regions(app, crige_grand_est):
    org = crige_grand_est["org"]
    response = _api(app, "organization_update", crige_grand_est["admin"], id=org["id"],
                    name=org["name"], title=org["title"], description="Nouvelle description")
    assert response.status_code == 200, response.json
    assert response.json["result"]["description"] == "Nouvelle description"
    assert _regions(app, org["id"]) == ["44"]


def test_a_sysadmin_sets_the_regions(app, crige_grand_est, sysadmin):
    org_id = crige_grand_est["org"]["id"]
    response = _api(app, "organization_patch", sysadmin, id=org_id, regions_covered=["44", "27"])
    assert response.status_code == 200, response.json
    assert _regions(app, org_id) == ["27", "44"]


def test_a_region_with_records_cannot_be_taken_from_its_crige(app, crige_grand_est, sysadmin):
    org_id = crige_grand_est["org"]["id"]
    _api(app, "organization_patch", sysadmin, id=org_id, regions_covered=["44", "27"])
    created = _api(app, "package_create", crige_grand_est["editor"], **record(owner_org=org_id))
    assert created.status_code == 200, created.json

    refused = _api(app, "organization_patch", sysadmin, id=org_id, regions_covered=["27"])
    assert refused.status_code == 409
    assert "44 (Grand Est)" in refused.json["error"]["regions_covered"][0]
    assert _regions(app, org_id) == ["27", "44"]
    # a region without records can go
    kept = _api(app, "organization_patch", sysadmin, id=org_id, regions_covered=["44"])
    assert kept.status_code == 200, kept.json


def test_records_are_refused_from_an_organisation_no_sysadmin_recognised(app, sysadmin):
    editor = factories.User()
    org = factories.Organization(name="crige-autoproclame",
                                 users=[{"name": editor["name"], "capacity": "admin"}])
    response = _api(app, "package_create", editor, **record(owner_org=org["id"]))
    assert response.status_code == 409
    assert "reconnue comme CRIGE" in response.json["error"]["owner_org"][0]
    assert _api(app, "package_search", sysadmin, q="*:*", include_private=True
                ).json["result"]["count"] == 0
    # its admin cannot recognise it either
    assert _api(app, "organization_patch", editor, id=org["id"],
                regions_covered=["44"]).status_code == 409

    assert _api(app, "organization_patch", sysadmin, id=org["id"],
                regions_covered=["44"]).status_code == 200
    assert _api(app, "package_create", editor, **record(owner_org=org["id"])).status_code == 200


@pytest.mark.ckan_config("ckan.auth.user_create_organizations", True)
def test_an_organisation_created_by_a_user_is_not_a_crige(app):
    """Where a site lets users create organisations (CKAN's default; ``make run``
    turns it off), the organisation cannot declare regions, so holds no record."""
    user = factories.User()
    refused = _api(app, "organization_create", user, name="crige-pirate", regions_covered=["44"])
    assert refused.status_code == 409
    assert "regions_covered" in refused.json["error"]
    created = _api(app, "organization_create", user, name="crige-pirate")
    assert created.status_code == 200, created.json
    response = _api(app, "package_create", user, **record(owner_org=created.json["result"]["id"]))
    assert response.status_code == 409
    assert "owner_org" in response.json["error"]


def test_a_record_cannot_be_about_a_region_its_crige_does_not_cover(app, crige_grand_est):
    response = _api(app, "package_create", crige_grand_est["editor"],
                    **record(owner_org=crige_grand_est["org"]["id"], region_code="76"))
    assert response.status_code == 409
    assert "ne fait pas partie des régions" in response.json["error"]["region_code"][0]
