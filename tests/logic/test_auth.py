"""Who may do what: CRIGE editors keep their own records only."""
from __future__ import annotations

import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import call_action, call_auth

from ..conftest import create_record, record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _ctx(user):
    return {"user": user["name"], "ignore_auth": False, "model": model}


def test_editor_cannot_update_another_crige_record(crige_grand_est, crige_occitanie):
    pkg = create_record(crige_grand_est)
    with pytest.raises(tk.NotAuthorized):
        call_auth("package_update", _ctx(crige_occitanie["editor"]), id=pkg["id"])
    with pytest.raises(tk.NotAuthorized):
        call_action("package_patch", context=_ctx(crige_occitanie["editor"]),
                    id=pkg["id"], title="Piraté")
    assert call_action("package_show", id=pkg["id"])["title"] == pkg["title"]


def test_editor_cannot_delete_another_crige_record(crige_grand_est, crige_occitanie):
    pkg = create_record(crige_grand_est)
    with pytest.raises(tk.NotAuthorized):
        call_action("package_delete", context=_ctx(crige_occitanie["editor"]), id=pkg["id"])
    assert call_action("package_show", id=pkg["id"])["state"] == "active"


def test_editor_cannot_create_a_record_in_another_crige(crige_grand_est, crige_occitanie):
    with pytest.raises((tk.NotAuthorized, tk.ValidationError)):
        call_action("package_create", context=_ctx(crige_occitanie["editor"]),
                    **record(owner_org=crige_grand_est["org"]["id"]))
    assert model.Package.get(record()["name"]) is None


def test_editor_cannot_move_a_record_into_another_crige(crige_grand_est, crige_occitanie):
    pkg = create_record(crige_occitanie, name="ocs-occ", region_code="76")
    with pytest.raises((tk.NotAuthorized, tk.ValidationError)):
        call_action("package_patch", context=_ctx(crige_occitanie["editor"]),
                    id=pkg["id"], owner_org=crige_grand_est["org"]["id"], region_code="44")
    assert call_action("package_show", id=pkg["id"])["owner_org"] == crige_occitanie["org"]["id"]


def test_members_cannot_edit_even_their_own_crige_records(crige_grand_est):
    pkg = create_record(crige_grand_est)
    with pytest.raises(tk.NotAuthorized):
        call_auth("package_update", _ctx(crige_grand_est["member"]), id=pkg["id"])


def test_admins_and_editors_of_the_crige_can_edit(crige_grand_est):
    pkg = create_record(crige_grand_est)
    for role in ("admin", "editor"):
        assert call_auth("package_update", _ctx(crige_grand_est[role]), id=pkg["id"])


def test_editor_of_a_crige_cannot_change_the_crige_itself(crige_grand_est):
    with pytest.raises(tk.NotAuthorized):
        call_auth("organization_update", _ctx(crige_grand_est["editor"]),
                  id=crige_grand_est["org"]["id"])


def test_anonymous_may_read_the_region_list():
    assert call_auth("ocsregistry_region_list", {"user": "", "model": model})


def test_cross_crige_edit_form_is_forbidden_over_http(app, crige_grand_est, crige_occitanie):
    from ckan.tests import factories
    pkg = create_record(crige_grand_est)
    token = factories.APIToken(user=crige_occitanie["editor"]["name"])["token"]
    resp = app.get(f"/ocs/edit/{pkg['name']}", headers={"Authorization": token})
    assert resp.status_code == 403
