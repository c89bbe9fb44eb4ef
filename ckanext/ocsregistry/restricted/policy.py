"""Who may see restricted values, and in which calls they are shown.

A record's fields marked ``ocsregistry_restricted`` in the schema are public
when its ``funding_visibility`` is ``public``. Otherwise they are added to a
``package_show`` result only when both hold:

- the call answers the user directly: the API's own ``package_show``, or the
  record page or its edit form (GET). Inside a request CKAN fills
  ``context['user']`` for every action, including the ``package_show`` calls it
  makes to index a record or to snapshot it for the activity stream; so the
  user alone cannot decide, the call must be one that shows the record to them;
- the user is a sysadmin or a member of the owning CRIGE.

Every other call (indexing, activity, harvest, RDF, CLI) gets the record
without them, whoever the user is.
"""
from __future__ import annotations

from typing import Any, Optional

from flask import has_request_context, request

from ckan import authz, model
from ckanext.ocsregistry import record
from ckanext.ocsregistry.restricted import store

__all__ = ["PUBLIC", "fields", "visibility", "can_see", "apply_to_show", "shown_values",
           "with_values", "for_user", "strip"]

PUBLIC = "public"
_SHOW_PAGES = ("read", "edit")


def fields(dataset_type: Optional[str] = record.DATASET_TYPE) -> list[str]:
    """Names of the restricted fields of a dataset type (none for other types)."""
    return record.restricted_fields(dataset_type)


def visibility(pkg_dict: dict[str, Any]) -> Optional[str]:
    if "funding_visibility" in pkg_dict:
        return pkg_dict["funding_visibility"]
    # package_show with validate=False (search indexing) keeps fields in extras
    for extra in pkg_dict.get("extras") or []:
        if extra.get("key") == "funding_visibility":
            return extra.get("value")
    return None


def can_see(pkg_dict: dict[str, Any], user: Optional[str]) -> bool:
    if visibility(pkg_dict) == PUBLIC:
        return True
    if not user:
        return False
    if authz.is_sysadmin(user):
        return True
    owner = pkg_dict.get("owner_org")
    return bool(owner) and authz.has_user_permission_for_group_or_org(owner, user, "read")


def _answers_user_directly(dataset_type: str) -> bool:
    if not has_request_context():
        return False
    endpoint = request.endpoint or ""
    if endpoint == "api.action":
        return (request.view_args or {}).get("logic_function") == "package_show"
    blueprint, _, view = endpoint.partition(".")
    return (request.method in ("GET", "HEAD") and view in _SHOW_PAGES
            and blueprint in (dataset_type, "dataset"))


def shown_values(dataset_type: str, values: dict[str, Any]) -> dict[str, Any]:
    """Stored values as ``package_show`` serves them (numbers as JSON numbers)."""
    from ckanext.ocsregistry.logic.validators import ocsregistry_number_output

    out = {}
    for field in record.schema_fields(dataset_type):
        name = field["field_name"]
        if name in values and field.get("ocsregistry_restricted"):
            number = "ocsregistry_number_output" in (field.get("output_validators") or "")
            out[name] = ocsregistry_number_output(values[name]) if number else values[name]
    return out


def strip(data: dict[str, Any], names: list[str]) -> None:
    """Remove the named fields from a record dict, top-level and in its extras."""
    for name in names:
        data.pop(name, None)
    if isinstance(data.get("extras"), list):
        data["extras"] = [e for e in data["extras"]
                          if not (isinstance(e, dict) and e.get("key") in names)]


def apply_to_show(pkg_dict: dict[str, Any], context: dict[str, Any]) -> None:
    """Give a ``package_show`` result exactly the restricted values this call may show."""
    dataset_type = pkg_dict.get("type")
    names = fields(dataset_type)
    if not names:
        return
    strip(pkg_dict, names)  # whatever a cache or another extension put there
    if context.get("validate") is False or not pkg_dict.get("id"):
        return  # the raw dict CKAN indexes; the index adds public values itself
    if visibility(pkg_dict) == PUBLIC or (
            _answers_user_directly(dataset_type) and can_see(pkg_dict, context.get("user"))):
        pkg_dict.update(shown_values(dataset_type, store.get(pkg_dict["id"])))


def with_values(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """A copy of a record with its restricted values, for comparisons inside
    this extension (import, demo loader); never to be shown or stored."""
    return dict(pkg_dict, **shown_values(pkg_dict.get("type"), store.get(pkg_dict["id"])))


def for_user(names: list[str], user: Optional[str], dataset_type: str = "ocs"
             ) -> dict[str, dict[str, Any]]:
    """``{name: values}`` of the named records whose restricted values ``user``
    may see as a member of their CRIGE (or sysadmin): one query, from the table.
    For the user's own exports; public values are in the index already."""
    user_obj = model.User.get(user) if user else None
    if user_obj is None or not names:
        return {}
    owners = None if user_obj.sysadmin else user_obj.get_group_ids(group_type="organization")
    if owners is not None and not owners:
        return {}
    return {name: shown_values(dataset_type, values)
            for name, values in store.get_many(names, owners).items()}
