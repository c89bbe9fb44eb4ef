"""Every bad value of the field card, refused by the schema under the field's key.

Fast tier: the table runs through the registry schema's own validation (what
``package_create`` and ``package_update`` run before writing anything), against
one CRIGE and one record shared by the module on ``non_clean_db``. That the
actions then write nothing is shown end to end in ``tests/test_schema.py``.
"""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from ckan import model
from ckan.lib import plugins as lib_plugins
from ckan.tests import factories as ckan_factories
from ckan.tests.helpers import call_action

from ckanext.ocsregistry import record as ocs_record

from ..conftest import ensure_plugin_tables, record
from ..factories import Crige, OcsRecord
from ..test_schema import BAD_VALUES

pytestmark = pytest.mark.usefixtures("with_plugins", "non_clean_db")

_shared: dict[str, Any] = {}


@pytest.fixture
def target():
    """An editor, their CRIGE and a record, made once for the module."""
    if not _shared or model.Package.get(_shared["record"]["id"]) is None:
        ensure_plugin_tables()
        editor = ckan_factories.User()
        crige = Crige(users=[{"name": editor["name"], "capacity": "editor"}])
        _shared.update(editor=editor, crige=crige, record=OcsRecord(owner_org=crige["id"]))
    return _shared


def _errors(target: dict, data: dict, action: str) -> dict:
    plugin = lib_plugins.lookup_package_plugin(ocs_record.DATASET_TYPE)
    schema = (plugin.create_package_schema() if action == "create"
              else plugin.update_package_schema())
    context = {"model": model, "session": model.Session, "user": target["editor"]["name"]}
    if action == "update":
        context["package"] = model.Package.get(data["id"])
    _data, errors = lib_plugins.plugin_validate(plugin, context, data, schema,
                                                f"package_{action}")
    return errors


def test_the_shared_record_is_valid_as_is(target):
    """Without it, a refusal below could come from something else than the bad value."""
    shown = call_action("package_show", id=target["record"]["id"])
    assert _errors(target, shown, "update") == {}
    fresh = record(owner_org=target["crige"]["id"], name=f"ocs-{uuid.uuid4().hex[:8]}")
    assert _errors(target, fresh, "create") == {}


@pytest.mark.parametrize("action", ["create", "update"])
@pytest.mark.parametrize("field,value,error_key", BAD_VALUES)
def test_a_bad_value_is_refused_under_its_field(target, action, field, value, error_key):
    if action == "create":
        data = record(owner_org=target["crige"]["id"], name=f"ocs-{uuid.uuid4().hex[:8]}")
    else:
        data = call_action("package_show", id=target["record"]["id"])
    data[field] = value
    errors = _errors(target, data, action)
    assert errors.get(error_key), errors
