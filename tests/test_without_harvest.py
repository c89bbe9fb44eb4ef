"""The registry runs on a site without ckanext-harvest and ckanext-dcat.

Each check runs in a fresh Python process where importing ``ckanext.harvest``
or ``ckanext.dcat`` fails as if they were not installed.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from ckan.tests import factories

from .conftest import create_record

pytestmark = pytest.mark.live  # a second CKAN process, a browser or a subprocess

BLOCK_HARVEST_AND_DCAT = textwrap.dedent('''
    import importlib.abc
    import sys

    BLOCKED = ("ckanext.harvest", "ckanext.dcat")

    class NotInstalled(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if any(name == b or name.startswith(b + ".") for b in BLOCKED):
                raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
            return None

    sys.meta_path.insert(0, NotInstalled())
    for blocked in BLOCKED:
        try:
            __import__(blocked)
        except ImportError:
            pass
        else:
            raise SystemExit(f"the import blocker let {blocked} through")

    def loaded_from_harvesting():
        """Modules that only a harvesting site should have imported."""
        return sorted(m for m in sys.modules if m.startswith(
            BLOCKED + ("ckanext.ocsregistry.harvesters", "ckanext.ocsregistry.profiles")))
''')

# What toolkit.blanket registers for the ocsregistry plugin, and the plugin itself.
IMPORT_THE_REGISTRY = BLOCK_HARVEST_AND_DCAT + textwrap.dedent('''
    import importlib

    for module in ("plugin", "helpers", "cli", "views", "logic.action", "logic.auth",
                   "logic.validators"):
        importlib.import_module("ckanext.ocsregistry." + module)
    assert not loaded_from_harvesting(), loaded_from_harvesting()
    print("imported")
''')

SERVE_THE_REGISTRY = BLOCK_HARVEST_AND_DCAT + textwrap.dedent('''
    import json

    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app
    from werkzeug.test import Client

    ini, name, token = sys.argv[1:4]
    conf = CKANConfigLoader(ini).get_config()
    conf["ckan.plugins"] = "ocsregistry scheming_datasets scheming_organizations"
    client = Client(make_app(conf))

    import ckan.plugins as p
    assert p.plugin_loaded("ocsregistry") and not p.plugin_loaded("harvest")

    def api(action, method="get", **data):
        if method == "get":
            response = client.get(f"/api/3/action/{action}", query_string=data)
        else:
            response = client.post(f"/api/3/action/{action}", json=data,
                                   headers={"Authorization": token})
        body = response.get_json()
        assert response.status_code == 200 and body["success"], (action, body)
        return body["result"]

    found = api("package_search", fq="+dataset_type:ocs")
    regions = api("ocsregistry_region_list")
    page = client.get(f"/ocs/{name}")
    # package_update's auth chain, without the harvested-record guard
    patched = api("package_patch", method="post", id=name, title="Edited without harvesting")
    print(json.dumps({
        "found": [r["name"] for r in found["results"]],
        "regions": len(regions),
        "page_status": page.status_code,
        "page": page.get_data(as_text=True),
        "patched_title": patched["title"],
        "harvesting_modules": loaded_from_harvesting(),
    }))
''')


def run_python(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


def test_the_registry_plugin_imports_without_harvest_and_dcat():
    assert run_python(IMPORT_THE_REGISTRY).strip().endswith("imported")


def test_the_blocker_does_block_what_needs_harvest():
    """The check above could not fail if the blocker let ckanext-harvest through."""
    code = BLOCK_HARVEST_AND_DCAT + "import ckanext.ocsregistry.harvesters.plugin\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0
    assert "No module named" in done.stderr and "(blocked)" in done.stderr


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_a_site_without_harvest_and_dcat_serves_the_registry(ckan_config, crige_grand_est):
    pkg = create_record(crige_grand_est)
    token = factories.APIToken(user=crige_grand_est["editor"]["name"])["token"]

    out = json.loads(run_python(SERVE_THE_REGISTRY, ckan_config["__file__"], pkg["name"],
                                token).strip().splitlines()[-1])

    assert out["found"] == [pkg["name"]]
    assert out["regions"] == 18
    assert out["page_status"] == 200
    assert pkg["title"] in out["page"]
    assert "ocsregistry-harvested" not in out["page"]  # not harvested: no banner
    assert out["patched_title"] == "Edited without harvesting"
    assert out["harvesting_modules"] == []


REGISTRY_ONLY_INI = """\
[app:main]
use = config:{test_ini}
ckan.plugins = ocsregistry scheming_datasets scheming_organizations

[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARN
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = generic
[formatter_generic]
format = %(levelname)s %(message)s
"""

HARVEST_COMMAND = BLOCK_HARVEST_AND_DCAT + textwrap.dedent('''
    from ckan.cli.cli import ckan

    sys.argv = ["ckan", "-c", sys.argv[1], "ocsregistry", "harvest", "any-source"]
    ckan()
''')


def test_the_harvest_command_says_what_is_missing(tmp_path, ckan_config):
    ini = tmp_path / "registry-only.ini"
    ini.write_text(REGISTRY_ONLY_INI.format(test_ini=ckan_config["__file__"]))
    done = subprocess.run([sys.executable, "-c", HARVEST_COMMAND, str(ini)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Error: harvesting needs ckanext-harvest's harvest plugin" in done.stderr
    assert "Traceback" not in done.stderr
