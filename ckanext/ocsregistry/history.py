"""A record's history: one entry per save, and each change as a labelled row.

Two parts:

- ``one_entry_per_save``: CKAN's activity plugin writes an activity for every
  ``package_create``/``package_update``, drafts included. CKAN's staged
  "new dataset" form saves a draft first, then updates it (a resource added,
  then the state set to active), so one record created through the web form
  gave three entries. Activities of a draft are not kept (nobody but its
  editors can see a draft, and nothing of it is history yet), and the first
  activity of a record that is no longer a draft is its "new package": one
  "created" entry for a create, one "updated" entry per update.
- ``changes``: the difference between two package dicts (activity snapshots)
  as rows ``{field, label, old, new}``, labelled from the scheming schema in
  the page's language, values written as the record page writes them (choice
  labels, vintages as "2019 Disponible (note)", lists joined). Pure functions
  of the dicts and the schema fields.

Restricted values (funding and price) never appear in a row unless both
snapshots are of a record whose funding is public: the history is shown as
the public sees it, whoever reads it.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Optional

import sqlalchemy as sa

from ckanext.ocsregistry import record

__all__ = ["one_entry_per_save", "changes", "format_value", "Row"]

Row = dict  # {"field": name, "label": str, "old": str, "new": str}

_PACKAGE_SAVES = ("new package", "changed package")

# Fields derived from others (shown through the field they derive from).
_DERIVED = ("region_name", "spatial")

# CKAN's own package keys shown in the history, with their labels.
_CORE_FIELDS: dict[str, dict[str, str]] = {
    "private": {"fr": "Visibilité", "en": "Visibility"},
    "resources": {"fr": "Ressources", "en": "Resources"},
}
_CORE_VALUES: dict[str, dict[Any, dict[str, str]]] = {
    "private": {True: {"fr": "Privée", "en": "Private"},
                False: {"fr": "Publique", "en": "Public"}},
}
_LIST_SEPARATOR = ", "
_ITEM_SEPARATOR = " ; "
_PUBLIC = "public"


# --------------------------------------------------------------------------
# One entry per save
# --------------------------------------------------------------------------

def _activity_class():
    try:
        from ckanext.activity.model import Activity
    except ImportError:  # ckanext-activity not installed: no history to keep
        return None
    return Activity


def _before_flush(session, flush_context, instances) -> None:
    Activity = _activity_class()
    for obj in list(session.new):
        if not isinstance(obj, Activity) or obj.activity_type not in _PACKAGE_SAVES:
            continue
        package = (obj.data or {}).get("package") if isinstance(obj.data, dict) else None
        if isinstance(package, dict) and package.get("state") == "draft":
            session.expunge(obj)  # a draft's saves are not history
            continue
        if obj.activity_type == "changed package":
            with session.no_autoflush:
                earlier = session.execute(
                    sa.select(sa.func.count()).select_from(Activity.__table__).where(
                        Activity.__table__.c.object_id == obj.object_id)).scalar()
            if not earlier:
                obj.activity_type = "new package"  # its first save as a record


def one_entry_per_save() -> None:
    """Keep one activity per save of a record (see the module's docstring);
    registered once, for every session."""
    from ckan import model

    if _activity_class() is None:
        return
    if not sa.event.contains(model.Session, "before_flush", _before_flush):
        sa.event.listen(model.Session, "before_flush", _before_flush)


# --------------------------------------------------------------------------
# Changes as labelled rows
# --------------------------------------------------------------------------

def _choices(field: dict) -> list[dict]:
    if field.get("choices_helper"):
        try:
            from ckanext.scheming.helpers import scheming_field_choices
            return scheming_field_choices(field) or []
        except Exception:  # a helper that needs a request; fall back to the raw value
            return []
    return field.get("choices") or []


def _choice(field: dict, value: Any, lang: str) -> str:
    for choice in _choices(field):
        if str(choice.get("value")) == str(value):
            return record.label(choice.get("label"), lang)
    return "" if value is None else str(value)


def _as_list(value: Any) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, str) and value.startswith("["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        return parsed if isinstance(parsed, list) else [value]
    return value if isinstance(value, list) else [value]


def _subfield_item(field: dict, item: Any, lang: str) -> str:
    """One repeating item as text: its values in schema order, the last ones
    (free text such as a note) in brackets: "2019 Disponible (note)"."""
    if not isinstance(item, dict):
        return str(item)
    parts, notes = [], []
    for sub in field.get("repeating_subfields") or []:
        value = item.get(sub["field_name"])
        if value in (None, ""):
            continue
        if _choices(sub):
            parts.append(_choice(sub, value, lang))
        elif sub.get("field_name") in ("year",) or not isinstance(value, str):
            parts.append(str(value))
        else:
            notes.append(str(value))
    text = " ".join(parts)
    if notes:
        text += (" " if text else "") + "(" + ", ".join(notes) + ")"
    return text


def format_value(field: dict, value: Any, lang: str) -> str:
    """A field's value as the record page writes it, in ``lang``."""
    name = field.get("field_name")
    if name in _CORE_VALUES:
        labels = _CORE_VALUES[name].get(value if not isinstance(value, str)
                                        else value.lower() == "true")
        return record.label(labels, lang) if labels else str(value)
    if name == "resources":
        return _LIST_SEPARATOR.join(r.get("name") or r.get("url") or "" for r in value or [])
    if field.get("repeating_subfields"):
        items = _as_list(value)
        if field.get("field_name") == "vintages":
            items = sorted(items, key=lambda v: str(v.get("year")) if isinstance(v, dict) else "")
        return _ITEM_SEPARATOR.join(_subfield_item(field, item, lang) for item in items)
    if isinstance(value, (list, dict)) or (
            field.get("preset") in ("multiple_select", "multiple_checkbox", "multiple_text")):
        items = _as_list(value) if not isinstance(value, dict) else [value]
        if _choices(field):
            return _LIST_SEPARATOR.join(_choice(field, v, lang) for v in items)
        return _LIST_SEPARATOR.join(str(v) for v in items)
    if value in (None, ""):
        return ""
    if _choices(field):
        return _choice(field, value, lang)
    return str(value)


def _owner_title(pkg: dict) -> str:
    org = pkg.get("organization")
    if isinstance(org, dict):
        return org.get("title") or org.get("name") or ""
    return str(pkg.get("owner_org") or "")


def _restricted_shown(old: dict, new: dict) -> bool:
    return old.get("funding_visibility") == _PUBLIC and new.get("funding_visibility") == _PUBLIC


def _normalised(field: dict, value: Any) -> Any:
    if value in (None, "", [], "[]"):
        return None
    if field.get("repeating_subfields") or field.get("preset") in (
            "multiple_select", "multiple_checkbox", "multiple_text"):
        items = _as_list(value)
        if field.get("repeating_subfields"):
            items = [{k: v for k, v in i.items() if v not in (None, "")}
                     if isinstance(i, dict) else i for i in items]
        return json.dumps(items, sort_keys=True, ensure_ascii=False)
    return str(value)


def changes(old: dict, new: dict, fields: Optional[Iterable[dict]] = None,
            lang: Optional[str] = None) -> list[Row]:
    """The fields that differ between two package dicts, in schema order, as
    ``{field, label, old, new}`` rows of text in ``lang`` (default: the page's).

    Restricted fields are left out unless both dicts are of a record whose
    funding is public; derived fields (region name, extent) are left out.
    """
    lang = lang or record.current_language()
    fields = list(fields if fields is not None else record.schema_fields(new.get("type")
                                                                         or record.DATASET_TYPE))
    show_restricted = _restricted_shown(old, new)
    rows: list[Row] = []
    listed = [f for f in fields if f.get("field_name") not in _DERIVED]
    listed += [dict(field_name=k, label=v) for k, v in _CORE_FIELDS.items()
               if not any(f.get("field_name") == k for f in fields)]
    for field in listed:
        name = field["field_name"]
        if field.get("ocsregistry_restricted") and not show_restricted:
            continue
        if name == "owner_org":
            before, after = _owner_title(old), _owner_title(new)
            if old.get("owner_org") == new.get("owner_org"):
                continue
        elif name == "resources":
            before, after = (format_value(field, d.get("resources"), lang) for d in (old, new))
            if before == after:
                continue
        else:
            if _normalised(field, old.get(name)) == _normalised(field, new.get(name)):
                continue
            before, after = (format_value(field, d.get(name), lang) for d in (old, new))
            if before == after:
                continue
        rows.append({"field": name, "label": record.label(field.get("label") or name, lang),
                     "old": before, "new": after})
    return rows
