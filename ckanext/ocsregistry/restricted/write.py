"""How restricted values are written: beside the package, never in it.

The schema gives each restricted field ``ocsregistry_restricted_input`` first
and ``ocsregistry_restricted_stash`` last. The stash validator takes the
validated value out of the field (so ``convert_to_extras`` never sees it and
no ``package_extra`` row is written) and sets it aside under a private key of
the validated data, which CKAN's ``package_dict_save`` ignores. (Not in the
context: navl validates with a copy of it.) Once CKAN has saved the package,
``persist`` pops that key and writes the values to the table, in the same
transaction.

CKAN 2.12's ``package_update`` calls ``after_dataset_update`` only when the
package row itself changed: an update of restricted values alone would be
dropped. So the stash also records the values in a dict that
``update_restricted`` (the chained ``package_update``, on every version) puts
in the action's context (navl's copy of the context shares it); what
``persist`` did not write, it writes after the action, then commits unless
the commit is deferred.

A field left out of an update keeps its value (a dict read without the values,
such as a search result or another CRIGE's view, cannot wipe them); an empty
string or ``null`` clears it.
"""
from __future__ import annotations

from typing import Any, Callable

from ckan import model
from ckan.lib.navl.dictization_functions import StopOnError, missing
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry.restricted import derived, policy, store

__all__ = ["ocsregistry_restricted_input", "ocsregistry_restricted_stash", "persist",
           "update_restricted"]

PENDING = "__ocsregistry_restricted"
# The context key of the values stashed during one package_update, until written.
_UNWRITTEN = "ocsregistry_restricted_unwritten"


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
        unwritten = context.get(_UNWRITTEN)
        if unwritten is not None:
            unwritten[key[-1]] = value
    raise StopOnError  # nothing after this (convert_to_extras) may store it


def persist(context: dict[str, Any], data: dict[str, Any]) -> None:
    """After CKAN saved a registry record: write its pending values, and scrub
    its history when its funding is not public (``after_dataset_create/update``)."""
    pending = data.pop(PENDING, None) or {}
    unwritten = context.get(_UNWRITTEN)
    if unwritten is not None:
        unwritten.clear()  # written here: nothing left for update_restricted
    if not policy.fields(data.get("type")) or not data.get("id"):
        return
    store.save(data["id"], pending)
    if data.get("funding_visibility") != policy.PUBLIC:
        derived.scrub_history(data["id"])


def update_restricted(next_action: Callable, context: dict[str, Any],
                      data_dict: dict[str, Any]) -> Any:
    """Run ``package_update`` (``next_action``), then write the restricted values
    it validated but did not persist (CKAN 2.12: the package row was unchanged)."""
    outer = context.get(_UNWRITTEN)
    context[_UNWRITTEN] = unwritten = {}
    try:
        result = next_action(context, data_dict)
    finally:
        if outer is None:
            context.pop(_UNWRITTEN, None)
        else:
            context[_UNWRITTEN] = outer
    package = context.get("package")
    if not unwritten or package is None or not policy.fields(package.type):
        return result
    # CKAN returned the record as it was (a dict) or its id: its funding
    # visibility is unchanged either way (the package row was not written).
    shown = result if isinstance(result, dict) else _show(context, package.id)
    persist(context, {"id": package.id, "type": package.type,
                      "funding_visibility": shown.get("funding_visibility"),
                      PENDING: unwritten})
    if not context.get("defer_commit"):
        model.repo.commit()
    # the record as it now is, not with the values it had before
    return _show(context, package.id) if isinstance(result, dict) else result


def _show(context: dict[str, Any], package_id: str) -> dict[str, Any]:
    """The record as the caller sees it (restricted values by policy), as
    ``package_update`` shows it."""
    return tk.get_action("package_show")(
        {"user": context.get("user", ""), "auth_user_obj": context.get("auth_user_obj"),
         "ignore_auth": True}, {"id": package_id})
