"""The shape of a record written through the API, checked before CKAN reads it.

CKAN's validation flattens the data first: a text where it expects a list of
vintages or resources stops it with a 400 "Integrity Error" that names no
field, and a list given as ``owner_org`` or a NUL character (which PostgreSQL
refuses) reaches the database or the auth functions and answers 500. These
chained actions refuse such data as a validation error naming the field.
"""
from __future__ import annotations

from typing import Any, Iterator

from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import record

__all__ = ["package_create", "package_update", "contains_nul"]

# CKAN's own lists of objects, beside the schema's repeating subfields.
CORE_OBJECT_LISTS = ("resources", "tags", "extras", "groups")
LIST_PRESETS = ("multiple_select", "multiple_checkbox", "multiple_text")


def _object_lists() -> set[str]:
    return set(CORE_OBJECT_LISTS) | {f["field_name"] for f in record.schema_fields()
                                     if f.get("repeating_subfields")}


def _scalars() -> set[str]:
    return {"owner_org", "id", "name", "type", "private", "state"} | {
        f["field_name"] for f in record.schema_fields()
        if not f.get("repeating_subfields") and f.get("preset") not in LIST_PRESETS}


def contains_nul(value: Any) -> bool:
    """Whether a NUL character is anywhere in ``value`` (PostgreSQL refuses it)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(contains_nul(v) for v in value)
    return False


def _shape_errors(data_dict: dict[str, Any]) -> Iterator[tuple[str, str]]:
    scalars, object_lists = _scalars(), _object_lists()
    for key, value in data_dict.items():
        if contains_nul(value) or contains_nul(key):
            yield key, tk._("Must not contain the NUL character")
        elif key in object_lists and value is not None and not (
                isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            yield key, tk._("Must be a list of objects, one per entry")
        elif key in scalars and isinstance(value, (list, dict)):
            yield key, tk._("Must be a single value, not a list or an object")


def _check_shape(data_dict: Any) -> None:
    if not isinstance(data_dict, dict):
        return  # CKAN answers that itself
    errors: dict[str, list[str]] = {}
    for key, message in _shape_errors(data_dict):
        errors.setdefault(str(key).replace("\x00", "\\0"), []).append(message)
    if errors:
        raise tk.ValidationError(errors)


@tk.chained_action
def package_create(next_action, context: dict, data_dict: dict[str, Any]) -> Any:
    _check_shape(data_dict)
    return next_action(context, data_dict)


@tk.chained_action
def package_update(next_action, context: dict, data_dict: dict[str, Any]) -> Any:
    _check_shape(data_dict)
    return next_action(context, data_dict)
