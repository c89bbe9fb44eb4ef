"""Funding and price fields never reach users who may not see them, on any route."""
from __future__ import annotations

import json

import pytest
from ckan.lib.search.common import make_connection
from ckan.tests import factories
from ckan.tests.helpers import call_action

from .conftest import RESTRICTED_VALUES, create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

SECRET_WORD = "zanzibarfund"  # only in the record's funders field


def _assert_hidden(pkg: dict) -> None:
    for field in RESTRICTED_VALUES:
        assert field not in pkg, field
    assert SECRET_WORD not in json.dumps(pkg)
    assert "1250000" not in json.dumps(pkg)


def _assert_visible(pkg: dict) -> None:
    for field, value in RESTRICTED_VALUES.items():
        assert pkg[field] == value, field


@pytest.fixture
def secret_record(crige_grand_est):
    return create_record(crige_grand_est)


@pytest.fixture
def outsider(crige_occitanie):
    return crige_occitanie["editor"]


def _show(user, pkg_id):
    return call_action("package_show", context={"user": user, "ignore_auth": False}, id=pkg_id)


class TestPackageShow:
    def test_anonymous_does_not_see_them(self, secret_record):
        _assert_hidden(_show("", secret_record["id"]))

    def test_another_crige_does_not_see_them(self, secret_record, outsider):
        _assert_hidden(_show(outsider["name"], secret_record["id"]))

    def test_a_logged_in_user_without_membership_does_not_see_them(self, secret_record):
        _assert_hidden(_show(factories.User()["name"], secret_record["id"]))

    @pytest.mark.parametrize("role", ["admin", "editor", "member"])
    def test_members_of_the_owning_crige_see_them(self, secret_record, crige_grand_est, role):
        _assert_visible(_show(crige_grand_est[role]["name"], secret_record["id"]))

    def test_sysadmins_see_them(self, secret_record, sysadmin):
        _assert_visible(_show(sysadmin["name"], secret_record["id"]))

    def test_public_visibility_shows_them_to_everyone(self, crige_grand_est):
        pkg = create_record(crige_grand_est, funding_visibility="public")
        _assert_visible(_show("", pkg["id"]))

    def test_members_editing_through_show_then_update_lose_nothing(self, secret_record, crige_grand_est):
        editor = crige_grand_est["editor"]["name"]
        shown = _show(editor, secret_record["id"])
        call_action("package_update", context={"user": editor}, **dict(shown, title="Nouveau titre"))
        _assert_visible(_show(editor, secret_record["id"]))


class TestSearch:
    def test_search_results_never_carry_them(self, secret_record, crige_grand_est):
        for user in ("", crige_grand_est["editor"]["name"]):
            result = call_action("package_search", context={"user": user, "ignore_auth": False},
                                 q="name:" + secret_record["name"])
            assert result["count"] == 1
            _assert_hidden(result["results"][0])

    def test_a_query_on_a_hidden_value_finds_nothing(self, secret_record):
        result = call_action("package_search", context={"user": ""}, q=SECRET_WORD)
        assert result["count"] == 0
        # while a public detail field is searchable
        assert call_action("package_search", q="cormorandrin")["count"] == 1

    def test_public_values_are_searchable(self, crige_grand_est):
        create_record(crige_grand_est, funding_visibility="public")
        assert call_action("package_search", q=SECRET_WORD)["count"] == 1

    def test_the_solr_documents_do_not_hold_them(self, secret_record):
        conn = make_connection()
        docs = conn.search(q="*:*", fq="name:" + secret_record["name"], fl="*").docs
        assert len(docs) == 1
        assert SECRET_WORD not in json.dumps(docs[0], default=str)
        assert not any(key.endswith(("amo_price", "production_price", "funders", "funding_details"))
                       for key in docs[0])

    def test_raw_solr_fields_asked_through_the_api_do_not_hold_them(self, secret_record):
        result = call_action("package_search", q="name:" + secret_record["name"],
                             fl="id,validated_data_dict,data_dict,extras_funders")
        assert result["count"] == 1
        assert SECRET_WORD not in json.dumps(result["results"])


class TestActivity:
    def test_activity_snapshots_do_not_hold_them(self, secret_record, crige_grand_est):
        editor = crige_grand_est["editor"]["name"]
        call_action("package_patch", context={"user": editor}, id=secret_record["id"], mmu="300 m²")
        activities = call_action("package_activity_list", context={"user": editor},
                                 id=secret_record["id"], include_hidden_activity=True)
        assert len(activities) >= 2
        for activity in activities:
            full = call_action("activity_show", context={"user": editor}, id=activity["id"],
                               include_data=True)
            assert SECRET_WORD not in json.dumps(full)
            assert "1250000" not in json.dumps(full)


class TestWebPages:
    def test_record_page_hides_them_from_anonymous_users(self, app, secret_record):
        body = app.get(f"/ocs/{secret_record['name']}").body
        assert SECRET_WORD not in body
        assert "réservées aux membres du CRIGE" in body

    def test_record_page_shows_them_to_members(self, app, secret_record, crige_grand_est):
        token = factories.APIToken(user=crige_grand_est["member"]["name"])["token"]
        body = app.get(f"/ocs/{secret_record['name']}", headers={"Authorization": token}).body
        assert SECRET_WORD in body

    def test_history_page_hides_them(self, app, secret_record, crige_grand_est):
        editor = crige_grand_est["editor"]["name"]
        call_action("package_patch", context={"user": editor}, id=secret_record["id"], mmu="300 m²")
        activities = call_action("package_activity_list", id=secret_record["id"])
        for activity in activities:
            resp = app.get(f"/dataset/{secret_record['name']}/history/{activity['id']}")
            assert resp.status_code == 200
            assert SECRET_WORD not in resp.body
        changes = app.get(f"/dataset/changes/{activities[0]['id']}")
        assert SECRET_WORD not in changes.body

    def test_api_over_http_hides_them(self, app, secret_record):
        resp = app.get("/api/3/action/package_show", query_string={"id": secret_record["name"]})
        _assert_hidden(resp.json["result"])
        resp = app.get("/api/3/action/package_search", query_string={"q": SECRET_WORD})
        assert resp.json["result"]["count"] == 0
