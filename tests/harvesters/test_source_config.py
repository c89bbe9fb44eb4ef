"""Harvest source configuration: parsed, or refused with the key named."""
from __future__ import annotations

import json

import pytest
from ckan.tests import factories

from ckanext.ocsregistry.harvesters import source_config


def test_empty_configuration_means_defaults():
    assert source_config.parse("") == source_config.SourceConfig()
    assert source_config.parse(None).timeout == 30.0


@pytest.mark.parametrize("text, key", [
    ("{", "invalid JSON"),
    ("[]", "expected a JSON object"),
    ('{"timeut": 3}', "unknown key(s) timeut"),
    ('{"timeout": 0}', '"timeout"'),
    ('{"timeout": true}', '"timeout"'),
    ('{"page_size": 1001}', '"page_size"'),
    ('{"page_size": 2.5}', '"page_size"'),
    ('{"organizations": ["a"]}', '"organizations"'),
    ('{"organizations": {"a": 3}}', '"organizations"'),
    ('{"default_organization": 3}', '"default_organization"'),
])
def test_bad_values_are_refused_with_the_key(text, key):
    with pytest.raises(ValueError) as error:
        source_config.parse(text)
    assert key in str(error.value)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_organisations_must_exist_here():
    factories.Organization(name="openig")
    parsed = source_config.parse(json.dumps({"organizations": {"remote": "openig"},
                                             "default_organization": "openig",
                                             "timeout": 5, "page_size": 10}))
    assert parsed.organizations == {"remote": "openig"} and parsed.page_size == 10
    with pytest.raises(ValueError, match='"default_organization": no organisation named "nope"'):
        source_config.parse('{"default_organization": "nope"}')
