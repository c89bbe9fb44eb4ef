"""Comparison of two to four bases: their field cards side by side.

Rows are the fields of the card that tell bases apart, labelled from the
scheming schema and written as the record page and the history write them
(``history.format_value``). Records come from the search index, whose copy of
a record never holds a restricted value (``restricted.derived``); restricted
fields are also left out of the rows, whoever asks.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

from ckanext.ocsregistry import history, record

__all__ = ["FIELDS", "MIN_RECORDS", "MAX_RECORDS", "parse_names", "rows", "csv_rows", "ordered"]

MIN_RECORDS, MAX_RECORDS = 2, 4

# The card's fields, in the order the comparison shows them.
FIELDS = (
    "region_name", "owner_org", "ocs_characteristic", "ocs_characteristic_detail", "dimensions",
    "class_count", "class_details", "level_count", "level_details", "mmu", "mmu_m2",
    "interpretation_scale", "rendering_scale", "imagery", "producers", "vintages",
    "info_updated",
)


def parse_names(value: Any) -> list[str]:
    """Record names from ``records=a,b`` or repeated ``records=a&records=b``
    (or an API list), blanks dropped, order and first occurrence kept."""
    items = value if isinstance(value, (list, tuple)) else [value]
    names: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(item)
        for name in item.split(","):
            name = name.strip()
            if name and name not in names:
                names.append(name)
    return names


def _value(field: dict, pkg: dict[str, Any], lang: str) -> str:
    name = field["field_name"]
    if name == "owner_org":
        org = pkg.get("organization") or {}
        return org.get("title") or org.get("name") or ""
    return history.format_value(field, pkg.get(name), lang)


def rows(packages: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """``[{field, label, values: [text per record], differ}]`` in FIELDS order."""
    restricted = set(record.restricted_fields())
    out = []
    for name in FIELDS:
        field = record.schema_field(name)
        if not field or name in restricted:
            continue
        values = [_value(field, pkg, lang) for pkg in packages]
        out.append({"field": name, "label": record.label(field.get("label") or name, lang),
                    "values": values, "differ": len(set(values)) > 1})
    return out


def csv_rows(data: dict[str, Any], lang: str) -> Iterator[list[Any]]:
    """The comparison as a table: one column per record, one row per field."""
    yield [record.label({"fr": "Champ", "en": "Field"}, lang), *(r["title"] for r in data["records"])]
    yield [record.label({"fr": "Adresse de la fiche", "en": "Record address"}, lang),
           *(r["url"] for r in data["records"])]
    for row in data["rows"]:
        yield [row["label"], *row["values"]]


def ordered(packages: Iterable[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    by_name = {p["name"]: p for p in packages}
    return [by_name[n] for n in names if n in by_name]
