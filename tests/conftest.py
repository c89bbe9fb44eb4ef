"""Shared fixtures: CRIGE organisations, their users, and valid records."""
from __future__ import annotations

import copy
import json
import os
import re
from typing import Any

import pytest
import redis
import requests
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import _get_test_app, call_action

from .live_site import ckan_command, serve
from .browser import browser, live_url  # noqa: F401  (fixtures, registered once here)

def pytest_configure(config):
    """Under pytest-xdist, each worker gets its own sites: database and Solr core
    ``ckan_test_gwN`` (and ``ckan_test_source_gwN`` for the second site), Redis
    dbs 8+2N and 9+2N (devstack/stack.sh creates them). CKAN's pytest plugin
    reads these variables when the session starts, after this hook."""
    worker = getattr(config, "workerinput", {}).get("workerid")
    if not worker or "CKAN_SQLALCHEMY_URL" not in os.environ:
        return
    n = int(worker.lstrip("gw"))
    os.environ["CKAN_SQLALCHEMY_URL"] = _with_name(os.environ["CKAN_SQLALCHEMY_URL"],
                                                   f"ckan_test_{worker}")
    os.environ["CKAN_SOLR_URL"] = _with_name(os.environ["CKAN_SOLR_URL"], f"ckan_test_{worker}")
    os.environ["CKAN_REDIS_URL"] = _with_name(os.environ["CKAN_REDIS_URL"], str(8 + 2 * n))
    os.environ["OCSREGISTRY_TEST_SOURCE_DB"] = f"ckan_test_source_{worker}"
    os.environ["OCSREGISTRY_TEST_SOURCE_REDIS_DB"] = str(9 + 2 * n)


VALID_RECORD: dict[str, Any] = {
    "type": "ocs",
    "title": "OCS GE2 Grand Est",
    "name": "ocs-ge2-grand-est",
    "internal_id": "GE-2019.v2",
    "region_code": "44",
    "ocs_characteristic": "regional_specific",
    "ocs_characteristic_detail": "OCS régionale grande échelle, 2 dimensions",
    "vintages": [
        {"year": 2010, "status": "available"},
        {"year": 2019, "status": "available", "note": "tous les départements"},
    ],
    "dimensions": ["land_cover", "land_use"],
    "class_count": "52",
    "class_details": "Nomenclature en 5 niveaux",
    "level_count": "5",
    "level_details": "Niveau 5 : imperméabilisation",
    "mmu": "Entre 500 m2 et 1000 m2. Jusqu'à 300 m2 pour les espaces verts urbains",
    "mmu_m2": "500",
    "imagery": "photographies aériennes",
    "producers": ["CLS", "TTI"],
    "data_url": "https://www.geograndest.fr/ocs",
    "viewer_url": "https://ocs.geograndest.fr/explore",
    "info_updated": "2024-03-31",
    "info_status": "confirmed",
    "notes": "Base régionale d'occupation du sol à grande échelle.",
    "interpretation_scale": "1:2 500",
    "rendering_scale": "1:5 000",
    "amo_exists": "yes",
    "amo_content": "Rédaction du cahier des charges",
    "amo_price": "45000",
    "amo_duration_months": "6",
    "amo_contractor": "Bureau d'études X",
    "quality_control": "Contrôle exhaustif par un prestataire distinct (cormorandrin)",
    "production_price": "1250000.50",
    "project_duration_months": "36",
    "production_duration_months": "24",
    "area_km2": "57441",
    "funding_visibility": "restricted",
    "funders": "Région Grand Est, FEDER, zanzibarfund",
    "funding_details": "Région 50 %, FEDER 50 %",
    "services_crige": "GéoGrandEst",
    "services_viewer": "Visionneuse et indicateurs",
    "contact_name": "Équipe OCS",
    "contact_email": "contact@geograndest.fr",
    "uses": "Suivi de l'artificialisation, SRADDET",
    "review_frequency_months": "12",
}

RESTRICTED_VALUES = {
    "amo_price": 45000,
    "production_price": 1250000.5,
    "funders": "Région Grand Est, FEDER, zanzibarfund",
    "funding_details": "Région 50 %, FEDER 50 %",
}


def as_user(name: str | None) -> dict[str, Any]:
    """Request arguments that authenticate as ``name`` (none: anonymous), with an
    API token in the Authorization header, as API clients and CKAN 2.12 do."""
    if not name:
        return {}
    return {"headers": {"Authorization": factories.APIToken(user=name)["token"]}}


def record(**overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID_RECORD)
    data.update(overrides)
    return data


PLUGINS_WITH_TABLES = ("activity", "harvest", "ocsregistry")
_plugin_tables_ready = False


def ensure_plugin_tables() -> None:
    """Create the tables of the plugins the registry enables, once per session.

    CKAN's reset only deletes rows once the tables exist (``rebuild_db``), so
    running alembic for three plugins before every test (as ``migrate_db_for``
    does) only cost time. Needs the plugins loaded (``with_plugins``).
    """
    global _plugin_tables_ready
    if not _plugin_tables_ready:
        from ckan.cli.db import _run_migrations

        for plugin in PLUGINS_WITH_TABLES:
            _run_migrations(plugin)
        _plugin_tables_ready = True


@pytest.fixture(scope="session")
def registry_app():
    """One CKAN application for the whole session; making it loads the plugins
    of ``ckan.plugins`` (``load_environment``)."""
    return _get_test_app()


@pytest.fixture
def with_plugins(registry_app, ckan_config):
    """The configured plugins, loaded once for the session.

    CKAN's own ``with_plugins`` unloads and reloads every plugin around each
    test (about 1.4 s here, most of the suite's time). Every test of this suite
    uses the same configured set, and the options they change with
    ``ckan_config`` (applied by that fixture, which CKAN's ``with_plugins``
    also pulls in) are read when used, never when a plugin loads. Reloading
    the plugins is also what gave those options their declared types; that is
    done here.
    """
    from ckan.common import config_declaration

    config_declaration.normalize(ckan_config)
    yield


@pytest.fixture
def app(registry_app, ckan_config):
    """CKAN's ``app``, without building a new application (and reloading every
    plugin) for each test."""
    return registry_app


@pytest.fixture
def non_clean_db(reset_db_once):
    """CKAN's non_clean_db (the database is set up once, data kept), with the
    plugins' tables."""
    ensure_plugin_tables()


@pytest.fixture
def clean_db(reset_db):
    """CKAN's clean_db (rows deleted, tables kept), with the plugins' tables."""
    reset_db()
    ensure_plugin_tables()


@pytest.fixture
def sysadmin():
    return factories.Sysadmin()


@pytest.fixture
def crige_grand_est():
    """A CRIGE covering Grand Est, with an admin, an editor and a plain member."""
    admin, editor, member = factories.User(), factories.User(), factories.User()
    org = factories.Organization(
        name="geograndest", title="GéoGrandEst", regions_covered=["44"],
        users=[
            {"name": admin["name"], "capacity": "admin"},
            {"name": editor["name"], "capacity": "editor"},
            {"name": member["name"], "capacity": "member"},
        ],
    )
    return {"org": org, "admin": admin, "editor": editor, "member": member}


@pytest.fixture
def crige_occitanie():
    editor = factories.User()
    org = factories.Organization(
        name="openig", title="OPenIG", regions_covered=["76"],
        users=[{"name": editor["name"], "capacity": "editor"}],
    )
    return {"org": org, "editor": editor}


def create_record(crige: dict, **overrides: Any) -> dict[str, Any]:
    """Create a record as the CRIGE's editor, through the action layer."""
    data = record(owner_org=crige["org"]["id"], **overrides)
    return call_action(
        "package_create", context={"user": crige["editor"]["name"], "ignore_auth": False}, **data)


# --- a second registry site, for harvesting -----------------------------------

def _source_names() -> tuple[str, int]:
    """The second site's database/Solr core and Redis db; read when the site
    starts, since an xdist worker (or another worktree) sets its own."""
    return (os.environ.get("OCSREGISTRY_TEST_SOURCE_DB", "ckan_test_source"),
            int(os.environ.get("OCSREGISTRY_TEST_SOURCE_REDIS_DB", "3")))


class SourceSite:
    def __init__(self, url: str, token: str, ini: str = "", env: dict[str, str] | None = None):
        self.url = url
        self.token = token
        # its configuration and environment, for `ckan` commands run on it
        self.ini = ini
        self.env = env or {}

    def action(self, action_name: str, **data: Any) -> Any:
        response = requests.post(f"{self.url}/api/3/action/{action_name}", json=data,
                                 headers={"Authorization": self.token}, timeout=120)
        body = response.json()
        assert body.get("success"), f"{action_name} at the source site failed: {body.get('error')}"
        return body["result"]

    def reset(self) -> None:
        found = self.action("package_search", q="*:*", rows=1000, include_private=True,
                            include_drafts=True)
        for dataset in found["results"]:
            self.action("dataset_purge", id=dataset["id"])
        for org in self.action("organization_list"):
            self.action("organization_purge", id=org)

    def create_crige(self, name: str, regions: list[str]) -> dict[str, Any]:
        return self.action("organization_create", name=name, title=name.upper(),
                           regions_covered=regions)

    def create_record(self, org: dict[str, Any], **overrides: Any) -> dict[str, Any]:
        return self.action("package_create", **record(owner_org=org["id"], **overrides))


def _with_name(url: str, name: str) -> str:
    return re.sub(r"/[^/]*$", "/" + name, url)


def _second_site_ini(base: str, directory) -> str:
    """test.ini plus ckanext-spatial's ``csw_harvester`` (a second site harvesting
    the registry's CSW endpoint, tests/csw/test_csw_live.py)."""
    with open(base, encoding="utf-8") as f:
        text = f.read()
    plugins = re.search(r"^ckan\.plugins\s*=\s*(.*)$", text, re.MULTILINE).group(1).strip()
    ini = directory / "second_site.ini"
    ini.write_text(
        "[app:main]\n"
        f"use = config:{base}\n"
        f"ckan.plugins = {plugins} csw_harvester\n\n"
        # `ckan -c` reads the logging sections from the file it is given
        "[loggers]" + text.partition("[loggers]")[2], encoding="utf-8")
    return str(ini)


@pytest.fixture(scope="session")
def source_process(tmp_path_factory):
    """A second registry site: a real CKAN in its own process, database, Solr core and
    Redis db, served over HTTP on a loopback port (shared by the session)."""
    config = tk.config
    ini = _second_site_ini(os.path.abspath(config["__file__"]),
                           tmp_path_factory.mktemp("second_site"))
    source_db, source_redis_db = _source_names()
    redis_url = _with_name(config["ckan.redis.url"], str(source_redis_db))
    env = dict(os.environ,
               CKAN_SQLALCHEMY_URL=_with_name(config["sqlalchemy.url"], source_db),
               CKAN_SOLR_URL=_with_name(config["solr_url"], source_db),
               CKAN_REDIS_URL=redis_url)
    redis.Redis.from_url(redis_url).flushdb()
    ckan_command(ini, env, "db", "clean", "--yes")
    ckan_command(ini, env, "db", "init")
    ckan_command(ini, env, "db", "pending-migrations", "--apply")
    ckan_command(ini, env, "search-index", "clear")
    ckan_command(ini, env, "user", "add", "source-admin", "email=admin@source.invalid",
                 "password=source-admin-password")
    ckan_command(ini, env, "sysadmin", "add", "source-admin")
    token = ckan_command(ini, env, "user", "token", "add", "source-admin", "tests")
    token = token.strip().splitlines()[-1].strip()
    with serve(ini, env) as url:
        yield SourceSite(url, token, ini, env)



def site_context() -> dict:
    return {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}


def harvest_source(url: str, owner_org: str, config: dict | None = None,
                   name: str = "registre-source", source_type: str = "ocsregistry") -> dict:
    """A harvest source created through the action, as the site user."""
    return call_action("harvest_source_create", context=site_context(), name=name,
                       title=f"Source {name}", url=url, source_type=source_type,
                       owner_org=owner_org, config=json.dumps(config) if config else "")
