"""The review cycle (issue #14): the due-date rule, the index field, the "to
review" filter of search, map and export, the record page, the CRIGE's review
page, and the "re-read" mark."""
from __future__ import annotations

import datetime

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import _get_test_app, call_action
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import review

from .conftest import RESTRICTED_VALUES, as_user, create_record
from .test_confidentiality import PASSWORD, _login

TODAY = review.today()
RECENT = (TODAY - datetime.timedelta(days=10)).isoformat()  # due in about a year


# --- the rule, without CKAN --------------------------------------------------

@pytest.mark.parametrize("info_updated,months,due", [
    ("2024-03-31", "12", "2025-03-31"),
    ("2024-03-31", "6", "2024-09-30"),     # no 31 September: end of the month
    ("2024-08-31", "6", "2025-02-28"),
    ("2023-08-31", "6", "2024-02-29"),     # leap year
    ("2024-02-29", "12", "2025-02-28"),
    ("2024-01-15", "24", "2026-01-15"),
    ("2024-01-15", "", "2025-01-15"),      # no frequency: every year
    ("2024-01-15", "bad", "2025-01-15"),
    ("2024-01-15T10:30:00", "12", "2025-01-15"),
])
def test_due_date_is_information_date_plus_frequency(info_updated, months, due):
    data = {"info_updated": info_updated, "review_frequency_months": months}
    assert review.due_date(data) == datetime.date.fromisoformat(due)


def test_due_once_the_due_date_has_passed():
    data = {"info_updated": "2024-06-15", "review_frequency_months": "12"}
    assert not review.is_due(data, datetime.date(2025, 6, 14))
    assert not review.is_due(data, datetime.date(2025, 6, 15))  # the due date itself
    assert review.is_due(data, datetime.date(2025, 6, 16))
    assert review.status(data, datetime.date(2025, 6, 20)) == {
        "due_date": "2025-06-15", "is_due": True, "days": 5}
    assert review.status(data, datetime.date(2025, 6, 1)) == {
        "due_date": "2025-06-15", "is_due": False, "days": 14}


def test_a_record_without_information_date_counts_from_its_creation():
    data = {"metadata_created": "2024-05-02T08:00:00.123456", "review_frequency_months": "6"}
    assert review.due_date(data) == datetime.date(2024, 11, 2)
    assert review.due_date({}) is None and not review.is_due({})
    assert review.status({}) is None


def test_index_value_and_filter_agree_on_the_boundary():
    assert review.index_value({"info_updated": "2024-06-15"}) == "2025-06-15T00:00:00Z"
    assert review.index_value({}) is None
    # exclusive upper bound: a record due on the given day is not yet due
    assert review.due_fq(datetime.date(2025, 6, 15)) == \
        "+ocsregistry_review_due_date:[* TO 2025-06-15T00:00:00Z}"


@pytest.mark.parametrize("value,wanted", [
    ("1", True), ("true", True), ("on", True), ("YES", True), ("", False), (None, False),
    ("0", False), ("off", False)])
def test_filter_value(value, wanted):
    assert review.filter_value(value) is wanted


@pytest.mark.parametrize("value", ["2", "maybe", ["1"]])
def test_filter_value_refuses_what_it_does_not_understand(value):
    with pytest.raises(ValueError):
        review.filter_value(value)


# --- through CKAN ------------------------------------------------------------

@pytest.fixture
def records(with_plugins, clean_db, clean_index, crige_grand_est, crige_occitanie):
    """Grand Est: two records due (2021, 2023) and one recent; Occitanie: one due."""
    made = {
        "old": create_record(crige_grand_est, name="ocs-old", title="Base ancienne",
                             info_updated="2020-01-15", review_frequency_months="12"),
        "half": create_record(crige_grand_est, name="ocs-half", title="Base semestrielle",
                              info_updated="2023-06-30", review_frequency_months="6"),
        "fresh": create_record(crige_grand_est, name="ocs-fresh", title="Base fraîche",
                               info_updated=RECENT, review_frequency_months="12"),
        "occ": create_record(crige_occitanie, name="ocs-occ", title="Base Occitanie",
                             region_code="76", info_updated="2022-02-01",
                             review_frequency_months="24"),
    }
    return {"made": made, "ge": crige_grand_est, "occ": crige_occitanie}


def _names(html: str, selector: str = ".dataset-heading a") -> set[str]:
    soup = BeautifulSoup(html, "html.parser")
    return {a["href"].rstrip("/").rsplit("/", 1)[-1] for a in soup.select(selector)}


def test_the_index_holds_the_due_date(records):
    found = call_action("package_search", fq="name:ocs-old",
                        fl=["name", review.SOLR_FIELD])["results"]
    assert found == [{"name": "ocs-old", review.SOLR_FIELD: "2021-01-15T00:00:00Z"}]
    ordered = call_action("package_search", q="*:*", sort=f"{review.SOLR_FIELD} asc",
                          fl=["name"], rows=10)["results"]
    assert [d["name"] for d in ordered] == ["ocs-old", "ocs-half", "ocs-occ", "ocs-fresh"]


def test_search_page_filters_records_to_review(app, records):
    every = app.get("/ocs/").body
    assert _names(every) == {"ocs-old", "ocs-half", "ocs-fresh", "ocs-occ"}
    due = app.get("/ocs/?ext_review_due=1").body
    assert _names(due) == {"ocs-old", "ocs-half", "ocs-occ"}
    # combined with a facet, and the facet link that removes it
    soup = BeautifulSoup(app.get("/ocs/?ext_review_due=1&organization=geograndest").body,
                         "html.parser")
    assert _names(str(soup)) == {"ocs-old", "ocs-half"}
    facet = soup.select_one(".ocsregistry-review-facet")
    assert "Seulement les fiches à relire" in facet.get_text()
    assert facet.select_one("li.active a")["href"] == "/ocs/?organization=geograndest"
    english = BeautifulSoup(app.get("/en/ocs/").body, "html.parser")
    link = english.select_one(".ocsregistry-review-facet a")
    assert "Only the records to review" in link.get_text() and "ext_review_due=1" in link["href"]


def test_search_refuses_a_bad_filter_value_without_error_500(app, records):
    response = app.get("/ocs/?ext_review_due=maybe", status=400)
    assert "ext_review_due" in response.body and "ocs-old" not in response.body
    api = app.get("/api/3/action/package_search?ext_review_due=maybe", status=400)
    assert "ext_review_due" in api.body


def test_map_filters_records_to_review(app, records):
    data = app.get("/api/3/action/ocsregistry_map_data?ext_review_due=1").json["result"]
    assert data["count"] == 3
    everything = app.get("/api/3/action/ocsregistry_map_data").json["result"]
    assert everything["count"] == 4
    page = BeautifulSoup(app.get("/ocsregistry/map?ext_review_due=1").body, "html.parser")
    box = page.select_one("input#f-review")
    assert box["name"] == "ext_review_due" and box.has_attr("checked")
    assert page.select_one("label[for=f-review]").get_text(strip=True) == \
        "Seulement les fiches à relire"
    names = {a["href"].rsplit("/", 1)[-1] for a in page.select("a[href*='/ocs/ocs-']")}
    assert names == {"ocs-old", "ocs-half", "ocs-occ"}
    assert "ext_review_due=1" in page.select_one("a[href*='/ocs/?']")["href"]  # same search
    assert not BeautifulSoup(app.get("/en/ocsregistry/map").body, "html.parser") \
        .select_one("input#f-review").has_attr("checked")


def test_map_explains_a_bad_filter_value(app, records):
    api = app.get("/api/3/action/ocsregistry_map_data?ext_review_due=maybe", status=409)
    assert "ext_review_due" in api.json["error"]
    page = app.get("/ocsregistry/map?ext_review_due=maybe").body
    errors = BeautifulSoup(page, "html.parser").select_one(".ocsregistry-filter-errors")
    assert errors.select_one("a[href='#f-review']").get_text() == "Seulement les fiches à relire"


def test_export_filters_records_to_review_and_gives_the_due_date(app, records):
    import csv
    import io

    body = app.get("/ocsregistry/export.csv?ext_review_due=1&lang=en").body
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert {r["Registry record"].rsplit("/", 1)[-1]: r["Review due on"] for r in rows} == {
        "ocs-old": "2021-01-15", "ocs-half": "2023-12-30", "ocs-occ": "2024-02-01"}
    french = app.get("/ocsregistry/export.csv?lang=fr").body
    header = next(csv.reader(io.StringIO(french.lstrip("\ufeff")), delimiter=";"))
    at = header.index("Relecture prévue le")
    assert header[at - 1] == "Fréquence de relecture de la fiche"


def test_record_page_says_since_when_it_is_due(app, records):
    french = BeautifulSoup(app.get("/ocs/ocs-old").body, "html.parser")
    status = french.select_one(".ocsregistry-review-status")
    assert status.get_text(" ", strip=True) == "À relire depuis le 15 janvier 2021"
    assert status.select_one("time")["datetime"] == "2021-01-15"
    english = BeautifulSoup(app.get("/en/ocs/ocs-old").body, "html.parser")
    assert english.select_one(".ocsregistry-review-status").get_text(" ", strip=True) == \
        "Due for review since January 15, 2021"
    due = review.due_date({"info_updated": RECENT}).isoformat()
    fresh = BeautifulSoup(app.get("/en/ocs/ocs-fresh").body, "html.parser")
    text = fresh.select_one(".ocsregistry-review-status").get_text(" ", strip=True)
    assert text.startswith("Next review due on ") and \
        fresh.select_one(".ocsregistry-review-status time")["datetime"] == due
    assert "Prochaine relecture le" in app.get("/ocs/ocs-fresh").body
    # the button is for editors only
    assert not french.select("form.ocsregistry-reread")
    editor = records["ge"]["editor"]["name"]
    page = BeautifulSoup(app.get("/ocs/ocs-old", **as_user(editor)).body, "html.parser")
    form = page.select_one("form.ocsregistry-reread")
    assert form["method"] == "post" and form["action"] == "/ocs/ocs-old/reread"
    assert form.select_one("input[name=_csrf_token]") is not None
    member = records["ge"]["member"]["name"]
    assert "ocsregistry-reread" not in app.get("/ocs/ocs-old", **as_user(member)).body


def test_crige_review_page_lists_records_by_due_date(app, records):
    call_action("package_patch", context={"user": records["ge"]["editor"]["name"]},
                id="ocs-half", private=True)
    public = BeautifulSoup(app.get("/organization/geograndest/review").body, "html.parser")
    rows = public.select(".ocsregistry-review-table tbody tr")
    assert [r.select_one("a")["href"] for r in rows] == ["/ocs/ocs-old", "/ocs/ocs-fresh"]
    assert "15 janvier 2021" in rows[0].get_text() and "à relire" in rows[0].get_text()
    assert "à relire" not in rows[1].get_text()
    # the tab beside the CRIGE's records
    tab = public.select_one(".page-header a[href='/organization/geograndest/review']")
    assert tab is not None and "Relecture" in tab.get_text()
    member = records["ge"]["member"]["name"]
    theirs = BeautifulSoup(app.get("/organization/geograndest/review", **as_user(member)).body,
                           "html.parser")
    assert [r.select_one("a")["href"] for r in theirs.select(".ocsregistry-review-table tbody tr")
            ] == ["/ocs/ocs-old", "/ocs/ocs-half", "/ocs/ocs-fresh"]
    only_due = BeautifulSoup(app.get("/en/organization/geograndest/review?due_only=1",
                                     **as_user(member)).body, "html.parser")
    assert len(only_due.select(".ocsregistry-review-table tbody tr")) == 2
    assert "2 records due for review" in only_due.get_text(" ")
    listed = app.get("/api/3/action/ocsregistry_review_list?id=geograndest").json["result"]
    assert [(r["name"], r["info_updated"], r["review_frequency_months"], r["due_date"],
             r["is_due"]) for r in listed["records"]] == [
        ("ocs-old", "2020-01-15", "12", "2021-01-15", True),
        ("ocs-fresh", RECENT, "12", review.due_date({"info_updated": RECENT}).isoformat(), False)]
    assert "15 janvier 2020" in rows[0].get_text() and "Tous les ans" in rows[0].get_text()
    app.get("/organization/no-such-crige/review", status=404)
    app.get("/organization/geograndest/review?due_only=maybe", status=400)


# --- "re-read": one click, one field ----------------------------------------

def _unchanged(before: dict, after: dict) -> dict:
    """The fields that differ, other than the two a re-read changes."""
    skip = {"info_updated", "metadata_modified"}
    keys = (set(before) | set(after)) - skip
    return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


def _shown(app, name: str, user: str) -> dict:
    """The record as the API shows it to ``user`` (restricted values included
    for the CRIGE's members: the API's own package_show, restricted/policy.py)."""
    return app.get(f"/api/3/action/package_show?id={name}", **as_user(user)).json["result"]


def _activities(pkg_id: str) -> list[dict]:
    return call_action("package_activity_list", id=pkg_id)


def test_reread_through_the_api_changes_the_information_date_only(app, records):
    editor = records["ge"]["editor"]["name"]
    before = _shown(app, "ocs-old", editor)
    assert {k: before[k] for k in RESTRICTED_VALUES} == RESTRICTED_VALUES
    history = len(_activities(before["id"]))
    result = app.post("/api/3/action/ocsregistry_record_reread", json={"id": "ocs-old"},
                      **as_user(editor)).json["result"]
    assert result["info_updated"] == TODAY.isoformat()
    after = _shown(app, "ocs-old", editor)
    assert after["info_updated"] == TODAY.isoformat()
    assert _unchanged(before, after) == {}  # restricted values included
    assert len(_activities(before["id"])) == history + 1
    indexed = call_action("package_search", fq="name:ocs-old", fl=[review.SOLR_FIELD])
    assert indexed["results"][0][review.SOLR_FIELD].startswith(
        review.due_date({"info_updated": TODAY.isoformat()}).isoformat())
    assert "ocs-old" not in _names(app.get("/ocs/?ext_review_due=1").body)


@pytest.mark.parametrize("who", ["anonymous", "other CRIGE", "member"])
def test_reread_is_refused_to_who_may_not_edit(app, records, who):
    user = {"anonymous": None, "other CRIGE": records["occ"]["editor"]["name"],
            "member": records["ge"]["member"]["name"]}[who]
    before = call_action("package_show", id="ocs-old")
    app.post("/api/3/action/ocsregistry_record_reread", json={"id": "ocs-old"}, status=403,
             **as_user(user))
    app.post("/ocs/ocs-old/reread", status=403, **as_user(user))
    assert call_action("package_show", id="ocs-old")["metadata_modified"] == \
        before["metadata_modified"]


def test_reread_bad_input(app, records):
    editor = records["ge"]["editor"]["name"]
    body = app.post("/api/3/action/ocsregistry_record_reread", json={}, status=409,
                    **as_user(editor)).json
    assert "id" in body["error"]
    app.post("/api/3/action/ocsregistry_record_reread", json={"id": "nope"}, status=404,
             **as_user(editor))
    app.get("/ocs/ocs-old/reread", status=404)  # POST only
    assert call_action("package_show", id="ocs-old")["info_updated"] == "2020-01-15"


@pytest.fixture
def csrf_app(with_plugins):
    """An application that checks CSRF tokens, as the make run site does."""
    before = tk.config.get("WTF_CSRF_ENABLED")
    tk.config["WTF_CSRF_ENABLED"] = True
    try:
        return _get_test_app()
    finally:
        tk.config["WTF_CSRF_ENABLED"] = before


def test_reread_button_posts_with_the_csrf_token(app, csrf_app, records):
    editor = factories.User(password=PASSWORD)
    call_action("organization_member_create", id=records["ge"]["org"]["id"],
                username=editor["name"], role="editor")
    client = _login(csrf_app, editor)
    before = _shown(app, "ocs-half", editor["name"])
    assert {k: before[k] for k in RESTRICTED_VALUES} == RESTRICTED_VALUES
    page = client.get("/ocs/ocs-half").get_data(as_text=True)
    form = BeautifulSoup(page, "html.parser").select_one("form.ocsregistry-reread")
    token = form.select_one("input[name=_csrf_token]")["value"]
    # without the token: refused, nothing written
    assert client.post(form["action"], data={}).status_code == 400
    assert call_action("package_show", id="ocs-half")["info_updated"] == "2023-06-30"
    done = client.post(form["action"], data={"_csrf_token": token}, follow_redirects=True)
    assert done.status_code == 200 and done.request.path == "/ocs/ocs-half"
    text = BeautifulSoup(done.get_data(as_text=True), "html.parser")
    assert "Marquée comme relue" in text.select_one(".flash-messages, .alert-success").get_text()
    assert "Prochaine relecture le" in text.select_one(".ocsregistry-review-status").get_text()
    after = _shown(app, "ocs-half", editor["name"])
    assert after["info_updated"] == TODAY.isoformat()
    assert _unchanged(before, after) == {}
    assert {k: after[k] for k in RESTRICTED_VALUES} == RESTRICTED_VALUES
