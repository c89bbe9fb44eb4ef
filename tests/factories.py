"""Factories for the registry's own objects, with unique names.

Built like CKAN's ``ckan.tests.factories`` (factory_boy, created through the
actions as the site user), so that tests can share the database
(``non_clean_db``) without clashing: every CRIGE and record gets a name of
its own unless the test gives one.
"""
from __future__ import annotations

import copy
import uuid
from typing import Any

import factory
from ckan.tests.helpers import call_action

from ckanext.ocsregistry import record

from .conftest import VALID_RECORD


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class Crige(factory.Factory):
    """A CRIGE organisation covering Grand Est by default.

    ``users``: ``[{"name": ..., "capacity": "editor"}]`` as for
    ``organization_create``.
    """

    class Meta:
        model = dict

    name = factory.LazyFunction(lambda: _unique("crige"))
    title = factory.LazyAttribute(lambda o: o.name.upper())
    regions_covered = factory.LazyFunction(lambda: ["44"])
    users = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class, **kwargs: Any) -> dict[str, Any]:
        return call_action("organization_create", context=record.site_context(), **kwargs)


class OcsRecord(factory.Factory):
    """A complete registry record (every field of the card) of a new CRIGE.

    Any field can be overridden: ``OcsRecord(owner_org=crige["id"], mmu_m2="300")``.
    """

    class Meta:
        model = dict

    name = factory.LazyFunction(lambda: _unique("ocs"))
    owner_org = factory.LazyFunction(lambda: Crige()["id"])

    @classmethod
    def _create(cls, model_class, **kwargs: Any) -> dict[str, Any]:
        data = copy.deepcopy(VALID_RECORD)
        data.update(kwargs)
        data.setdefault("title", f"OCS {data['name']}")
        return call_action("package_create", context=record.site_context(), **data)
