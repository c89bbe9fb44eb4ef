"""The public pages in a real browser, French first and English second.

Each page of the site's main journey is read in Chromium in both languages:
the visible text of a French page must hold none of the English strings below,
and an English page none of the French ones. The search and record pages are
also checked with axe-core on a desktop and a phone, and no page may ask a
third-party host for anything, anonymous or logged in.
"""
from __future__ import annotations

import os
import re

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from .browser import *  # noqa: F401,F403
from .browser import DESKTOP, PHONE, ROOT, axe_violations, describe, log_in, open_page
from .conftest import create_record

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

PASSWORD = "Pages-Test-Passw0rd"

# Strings of the other language seen on this site's pages (issue #11). Matched
# as whole words, case-sensitively, in the visible text only.
ENGLISH_ON_FRENCH_PAGES = [
    "Search", "found", "Followers", "Follow", "License", "No License Provided",
    "Activity Stream", "Harvest", "Harvest Sources", "Datasets", "Dataset", "Organizations",
    "Organization", "Groups", "About", "Log in", "Register", "Sort by", "Relevance",
    "Name Ascending", "Last Modified", "Popular", "Filter by location", "Clear",
    "Share", "Map", "Export", "records", "National map", "Home", "Edit",
    "Changes", "View", "Created", "Last Updated", "Region", "Vintage", "Source",
    "No map provider set", "ocss", "Ocss", "Download", "Language", "Powered by",
    "Showing", "Show More", "Show Only Popular", "Data Explorer", "updated the dataset",
    "created the dataset", "Newer activities", "Older activities", "Members",
    "Website", "Regions covered", "Add Harvest Source", "Status", "Tags", "Licenses",
    "There are no", "Information updated", "Skip to main content", "Profile settings",
    "Frequency", "No harvests found", "Package", "Ocs", "Add", "Dashboard", "Log out",
    "read more", "Data and Resources", "This dataset has no data", "All activity types",
]
FRENCH_ON_ENGLISH_PAGES = [
    "Rechercher", "Recherche", "Fiche", "fiche", "fiches", "Millésime", "Millésimes",
    "Région", "Régions", "trouvée", "trouvées", "Carte", "Exporter", "Jeux de données",
    "jeu de données", "Organisations", "Connexion", "S'inscrire", "Abonnés", "Licence",
    "Aucune", "Accueil", "Modifier", "Moissonnage", "Sources de moissonnage", "Caractéristique",
    "Dimensions couvertes", "Informations essentielles", "mis à jour", "Mise à jour",
    "Dernière modification", "Langue", "Trier par", "Pertinence", "Carte nationale",
    "Site web", "Régions couvertes", "Activité", "Historique", "Données",
    "Disponible", "Couverture", "Contact du CRIGE", "Retour", "Aller au contenu",
    "Tableau de bord", "Groupes", "À propos", "Généré par", "lire plus", "Fréquence",
    "Ajouter", "Flux d'activité", "Flux d'Activité", "Éditer", "Membres",
    "Il n'y a pas de", "Nom croissant", "Modifié le",
]


def _pattern(strings: list[str]) -> re.Pattern:
    alternatives = sorted((re.escape(s) for s in strings), key=len, reverse=True)
    return re.compile(r"(?<![\w'’-])(" + "|".join(alternatives) + r")(?![\w'’-])")


def wrong_language(text: str, lang: str) -> list[str]:
    pattern = _pattern(ENGLISH_ON_FRENCH_PAGES if lang == "fr" else FRENCH_ON_ENGLISH_PAGES)
    found = []
    for line in text.splitlines():
        for match in pattern.finditer(line):
            found.append(f"{match.group(1)!r} in {line.strip()[:90]!r}")
    return found


def _crige(name: str, title: str, region: str, editor: dict) -> dict:
    # image_url="": the factories' default is a third-party image.
    return factories.Organization(
        name=name, title=title, regions_covered=[region], image_url="",
        # the factories' default description is random English text, which the
        # crawl would rightly flag on French pages
        description="",
        website="https://www.example-crige.fr", contact_email="contact@example-crige.fr",
        users=[{"name": editor["name"], "capacity": "editor"}])


@pytest.fixture
def registry():
    """Two CRIGEs, two records, a sysadmin and an editor who can log in."""
    # "about": the factories' default is random English text (see _crige)
    editor = factories.User(password=PASSWORD, image_url="", about="")
    admin = factories.Sysadmin(password=PASSWORD, image_url="", about="")
    grand_est = {"org": _crige("geograndest", "GéoGrandEst", "44", editor), "editor": editor}
    occitanie = {"org": _crige("openig", "OPenIG", "76", editor), "editor": editor}
    rec = create_record(grand_est, vintages=[{"year": 2010, "status": "available"},
                                             {"year": 2019, "status": "available"},
                                             {"year": 2024, "status": "planned"}])
    create_record(occitanie, name="ocsid", title="OCSID Occitanie", region_code="76",
                  ocs_characteristic="ocs_ge_improved", vintages=[{"year": 2016, "status": "available"}])
    # a second version, so that the history page has a change to show
    call_action("package_patch", context={"user": editor["name"], "ignore_auth": False},
                id=rec["id"], class_count="53")
    return {"record": rec, "editor": editor, "sysadmin": admin}


MAIN_PAGES = ["/", "/ocs/", "/ocs/ocs-ge2-grand-est", "/ocsregistry/map", "/organization/geograndest",
              "/organization/geograndest/review", "/harvest", "/dataset/activity/ocs-ge2-grand-est", "/ocsregistry/timeline",
              "/ocsregistry/compare?records=ocs-ge2-grand-est,ocsid"]


def _crawl(browser, live_url, lang: str, user: dict | None = None
           ) -> tuple[dict[str, list[str]], list[str]]:
    prefix = "" if lang == "fr" else "/en"
    found: dict[str, list[str]] = {}
    with open_page(browser, live_url, locale="fr-FR" if lang == "fr" else "en-GB") as visit:
        if user:
            log_in(visit, user["name"], PASSWORD)
        for path in MAIN_PAGES:
            visit.go(prefix + path)
            text = visit.page.inner_text("body")
            if os.environ.get("OCSREGISTRY_PAGES_DUMP"):  # to review a page's words by eye
                name = (lang + path).replace("/", "_") + ("_" + user["name"] if user else "")
                with open(os.path.join(os.environ["OCSREGISTRY_PAGES_DUMP"], name + ".txt"), "w") as out:
                    out.write(text)
            hits = wrong_language(text, lang)
            if hits:
                found[prefix + path] = hits
    return found, visit.third_party


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_main_pages_speak_one_language(browser, live_url, registry, lang):
    found, third_party = _crawl(browser, live_url, lang)
    count = sum(len(v) for v in found.values())
    print(f"\n{lang}: {count} wrong-language strings on {len(found)} pages")
    assert not found, f"{count} strings of the other language on {lang} pages:\n" + "\n".join(
        f"{path}: {hit}" for path, hits in found.items() for hit in hits)
    assert third_party == []


@pytest.mark.parametrize("who", ["editor", "sysadmin"])
def test_logged_in_pages_call_no_third_party_and_speak_french(browser, live_url, registry, who):
    found, third_party = _crawl(browser, live_url, "fr", user=registry[who])
    assert third_party == []
    assert not found, "\n".join(f"{path}: {hit}" for path, hits in found.items() for hit in hits)


def test_wrong_language_detector_finds_what_it_should():
    assert wrong_language("24 ocss found\nAbonnés 0", "fr") == [
        "'ocss' in '24 ocss found'", "'found' in '24 ocss found'"]
    assert wrong_language("Rechercher des fiches OCS", "en")
    assert not wrong_language("Recherche-t-on", "fr")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", ["/ocs/", "/ocs/ocs-ge2-grand-est", "/organization/geograndest/review"],
                         ids=["search", "record", "crige-review"])
def test_search_and_record_pages_pass_axe(browser, live_url, registry, viewport, path):
    with open_page(browser, live_url, viewport=viewport) as visit:
        visit.go(path)
        violations = axe_violations(visit)
        print(f"\naxe {path} {viewport['width']}px: {len(violations)} serious/critical")
        assert violations == [], describe(violations)
        assert visit.third_party == [], visit.third_party


def test_search_results_show_region_characteristic_and_latest_vintage(browser, live_url, registry):
    with open_page(browser, live_url) as visit:
        visit.go("/ocs/")
        item = visit.page.locator("li.dataset-item", has_text="OCS GE2 Grand Est")
        assert item.count() == 1
        assert item.locator(".ocsregistry-item-region").inner_text().strip() == "Grand Est"
        badge = item.locator(".ocsregistry-item-characteristic").inner_text().strip()
        assert badge == "OCS régionale spécifique"  # the schema's French label
        # 2024 is only planned: the latest *available* vintage is 2019
        assert "2019" in item.locator(".ocsregistry-item-vintage").inner_text()
        assert "2024" not in item.locator(".ocsregistry-item-vintage").inner_text()
        other = visit.page.locator("li.dataset-item", has_text="OCSID Occitanie")
        assert other.locator(".ocsregistry-item-region").inner_text().strip() == "Occitanie"
        assert "2016" in other.locator(".ocsregistry-item-vintage").inner_text()
        body = visit.page.inner_text("body")
        assert "No map provider set" not in body and "Aucun fournisseur" not in body
        assert "2 fiches OCS trouvées" in body
        visit.go("/en/ocs/")
        assert "2 OCS records found" in visit.page.inner_text("body")


def test_record_page_leads_with_the_data_and_has_its_sidebar(browser, live_url, registry):
    for viewport, shot in ((DESKTOP, "record.png"), (PHONE, "record-phone.png")):
        with open_page(browser, live_url, viewport=viewport) as visit:
            visit.go("/ocs/ocs-ge2-grand-est")
            page = visit.page
            body = page.inner_text("body")
            for absent in ("Abonnés", "Followers", "Aucune licence", "Twitter", "Facebook",
                           "Ce jeu de données est vide"):
                assert absent not in body, absent
            assert page.locator("img[src*='placeholder']").count() == 0
            links = page.locator(".ocsregistry-record-links a")
            hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
            assert "https://www.geograndest.fr/ocs" in hrefs and "https://ocs.geograndest.fr/explore" in hrefs
            aside = page.locator(".ocsregistry-record-aside")
            assert aside.locator("svg.ocsregistry-minimap path").count() >= 1
            assert aside.locator("a[href$='/ocsregistry/map']").count() == 1
            assert "contact@example-crige.fr" in aside.inner_text() or \
                aside.locator("a[href^='mailto:']").count() >= 1
            assert "31 mars 2024" in aside.inner_text()  # CKAN's localised date
            # the INSEE code row holds the code; the region's name has its own row
            code_row = page.locator("tr", has=page.locator("th", has_text="Code INSEE de la région"))
            assert code_row.locator("td").inner_text().strip() == "44"
            # the record (its links) comes before the sidebar in reading order, and
            # on a phone it is drawn above it
            record_box = page.locator(".ocsregistry-record-links").bounding_box()
            aside_box = aside.bounding_box()
            if viewport is PHONE:
                assert record_box["y"] < aside_box["y"]
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            else:
                assert record_box["x"] < aside_box["x"] and aside_box["y"] < record_box["y"] + 400
            assert visit.third_party == []
            if os.environ.get("OCSREGISTRY_SCREENSHOTS") == "1":
                page.screenshot(path=os.path.join(ROOT, "docs", "screenshots", shot), full_page=True)


def test_organisation_page_names_its_regions(browser, live_url, registry):
    with open_page(browser, live_url) as visit:
        visit.go("/organization/geograndest")
        body = visit.page.inner_text("body")
        assert "['44']" not in body
        assert "Grand Est" in body
        assert visit.page.locator("a[href='https://www.example-crige.fr']").count() >= 1
        assert visit.third_party == []
