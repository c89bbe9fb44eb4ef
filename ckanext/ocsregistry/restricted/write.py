"""How restricted values are written: beside the package, never in it.

The schema gives each restricted field ``ocsregistry_restricted_input`` first
and ``ocsregistry_restricted_stash`` last. The stash validator takes the
validated value out of the field (so ``convert_to_extras`` never sees it and
no ``package_extra`` row is written) and sets it aside under a private key of
the validated data, which CKAN's ``package_dict_save`` ignores. (Not in the
context: navl validates with a copy of it.) Once CKAN has saved the package,
``persist`` pops that key and writes the values to the table, in the same
transaction.

A field left out of an update keeps its value (a dict read without the values,
such as a search result or another CRIGE's view, cannot wipe them); an empty
string or ``null`` clears it.
"""
from __future__ import annotations

import datetime
from typing import Any

from ckan.lib.navl.dictization_functions import StopOnError, missing
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry.restricted import derived, policy, store

__all__ = ["ocsregistry_restricted_input", "ocsregistry_restricted_stash", "persist"]

PENDING = "__ocsregistry_restricted"


def ocsregistry_restricted_input(key, data, errors, context) -> None:
    value = data.get(key, missing)
    if value is missing:
        data.pop(key, None)
        raise StopOnError  # absent: keep the stored value
    if value is None:
        data[key] = ""


def ocsregistry_restricted_stash(key, data, errors, context) -> None:
    value = data.pop(key, "")
    if not errors.get(key):
        data.setdefault((PENDING,), {})[key[-1]] = value
        _touch_when_changed(key[-1], value, data, context)
    raise StopOnError  # nothing after this (convert_to_extras) may store it


def _touch_when_changed(name: str, value: Any, data: dict, context: dict) -> None:
    """CKAN 2.12's ``package_update`` calls ``after_dataset_update`` (``persist``)
    only when the package itself changed, and rolls back otherwise: an update
    that changes restricted values alone marks the record modified."""
    package = context.get("package")
    if package is None or not tk.check_ckan_version(min_version="2.12"):
        return
    if str(store.get(package.id).get(name, "")) != str("" if value is None else value):
        data[("metadata_modified",)] = datetime.datetime.utcnow()


def persist(context: dict[str, Any], data: dict[str, Any]) -> None:
    """After CKAN saved a registry record: write its pending values, and scrub
    its history when its funding is not public (``after_dataset_create/update``)."""
    pending = data.pop(PENDING, None) or {}
    if not policy.fields(data.get("type")) or not data.get("id"):
        return
    store.save(data["id"], pending)
    if data.get("funding_visibility") != policy.PUBLIC:
        derived.scrub_history(data["id"])
