"""The registry record: its dataset type, its schema and the labels of its fields.

One home for what every other module needs to know about a record (search,
table, map, DCAT, harvesters, restricted values), so that none of them has to
import another for it. Labels and choices come from the scheming schema through
ckanext-scheming's own helpers.
"""
from __future__ import annotations

from typing import Any, Optional

from ckan.plugins import toolkit as tk
from ckanext.scheming.helpers import (scheming_field_by_name, scheming_field_choices,
                                      scheming_get_dataset_schema, scheming_language_text)

__all__ = ["DATASET_TYPE", "LANGUAGES", "schema_fields", "schema_field", "label",
           "choices", "choice_label", "restricted_fields", "current_language", "url", "site_context"]

DATASET_TYPE = "ocs"
LANGUAGES = ("fr", "en")  # French first: the registry's tables and labels


def schema_fields(dataset_type: str = DATASET_TYPE) -> list[dict]:
    schema = scheming_get_dataset_schema(dataset_type) if dataset_type else None
    return schema["dataset_fields"] if schema else []


def schema_field(name: str, subfield: Optional[str] = None) -> dict:
    """A field of the registry schema, or one of its repeating subfields ({} if none)."""
    field = scheming_field_by_name(schema_fields(), name) or {}
    if subfield:
        field = scheming_field_by_name(field.get("repeating_subfields") or [], subfield) or {}
    return field


def label(labels: Any, lang: Optional[str] = None) -> str:
    """A schema text (``{"fr": ..., "en": ...}`` or plain) in ``lang`` (default:
    the page's language), else the site's default language (French)."""
    return scheming_language_text(labels, prefer_lang=lang or current_language())


def choices(field: dict) -> list[dict]:
    """A field's choices, listed in the schema or given by its ``choices_helper``
    (the licences come from CKAN's licence register)."""
    return list(scheming_field_choices(field) or [])


def choice_label(field: dict, value: Any, lang: Optional[str] = None) -> str:
    """The label of one of a field's choices, in ``lang`` (default: the page's)."""
    for choice in choices(field):
        if choice["value"] == value:
            return label(choice.get("label"), lang)
    return "" if value is None else str(value)


def restricted_fields(dataset_type: Optional[str] = DATASET_TYPE) -> list[str]:
    """Fields marked ``ocsregistry_restricted``: funding and price (see restricted/)."""
    return [f["field_name"] for f in schema_fields(dataset_type) if f.get("ocsregistry_restricted")]


def current_language() -> str:
    """The page's language when it is one of the registry's, else French."""
    try:
        lang = tk.h.lang()
    except (RuntimeError, TypeError, AttributeError):  # outside a request
        return LANGUAGES[0]
    return lang if lang in LANGUAGES else LANGUAGES[0]


def url(name: str) -> str:
    """The absolute address of a record's page."""
    return f"{tk.config.get('ckan.site_url', '').rstrip('/')}/{DATASET_TYPE}/{name}"


def site_context() -> dict[str, Any]:
    """A context acting as the site user (commands, harvests, demo loader)."""
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": user["name"], "ignore_auth": True}
