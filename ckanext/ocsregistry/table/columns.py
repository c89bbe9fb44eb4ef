"""The registry as a table: one row per base, one column per field.

Shared by the export (record -> cells) and the import (cells -> record), so
that exporting then importing a file leaves the records unchanged. Lists are
joined with "; " (a literal ";" inside a value is written "\\;"); choices are
written as their label in the table's language and read back from a code or
a French or English label.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any, Optional

from ckanext.ocsregistry import record, regions, review
from ckanext.ocsregistry.record import choice_label, label, schema_field

LIST_SEPARATOR = "; "
ORGANIZATION = "owner_org"
RECORD_URL = "record_url"
REGION_CODE = "region_code"
REGION_NAME = "region_name"
FORMER_REGIONS = "former_region_codes"
FIRST_VINTAGE = "first_vintage"
LATEST_AVAILABLE = "latest_available_vintage"
NEXT_PLANNED = "next_planned_vintage"
MODIFIED = "metadata_modified"
# When the record falls due for review (review.py), beside its review frequency.
REVIEW_DUE = "review_due_date"
# Derived from other fields, or kept out of tables.
SKIPPED_FIELDS = {"spatial"}
# Columns the export writes for reading only: the import ignores them.
READ_ONLY = {REGION_NAME, RECORD_URL, FIRST_VINTAGE, LATEST_AVAILABLE, NEXT_PLANNED, MODIFIED,
             REVIEW_DUE}
# Vintages that are not available yet, the earliest being the "next planned" one.
UPCOMING_STATUSES = ("planned", "in_production")
# In the CSV, a code and its region's name joined by this ("01 – Guadeloupe"):
# a spreadsheet opening the CSV keeps such a cell as text ("01" would become 1).
CODE_NAME_SEPARATOR = " – "

_DERIVED = {
    FIRST_VINTAGE: {"fr": "Premier millésime", "en": "First vintage"},
    LATEST_AVAILABLE: {"fr": "Dernier millésime disponible", "en": "Latest available vintage"},
    NEXT_PLANNED: {"fr": "Prochain millésime prévu", "en": "Next planned vintage"},
    MODIFIED: {"fr": "Dernière modification de la fiche (UTC)", "en": "Record last modified (UTC)"},
    RECORD_URL: {"fr": "Fiche du registre", "en": "Registry record"},
    REVIEW_DUE: {"fr": "Relecture prévue le", "en": "Review due on"},
}
_URL_FIELDS = {RECORD_URL, "data_url", "viewer_url"}
_NUMBER_PRESETS = {"ocsregistry_number", "ocsregistry_count"}

_SPLIT = re.compile(r"(?<!\\);")
_VINTAGE = re.compile(r"^(\d{1,4})\s*(.*?)\s*(?:\((.*)\))?$", re.S)


class CellError(ValueError):
    """A cell that cannot be read; the message says what is expected."""


def visible(text: Any, limit: int = 40) -> str:
    """Text from the file, for a message: control characters made visible (a
    NUL or an escape code must not reach the terminal as such), long text cut."""
    shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))
    return shown if len(shown) <= limit else shown[:limit] + "…"


def quote(text: Any, limit: int = 40) -> str:
    return f'"{visible(text, limit)}"'


def nth(field_name: str, position: int, lang: str) -> str:
    """The n-th item of a repeating field in words: "2e millésime", "2nd vintage"."""
    item = label(schema_field(field_name).get("repeating_label"), lang) or field_name
    item = item[:1].lower() + item[1:]
    if lang == "fr":
        return f"{position}{'er' if position == 1 else 'e'} {item}"
    suffix = "th" if 10 <= position % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(position % 10, "th")
    return f"{position}{suffix} {item}"


@dataclass(frozen=True)
class Column:
    field: dict
    lang: str

    @property
    def name(self) -> str:
        return self.field["field_name"]

    @property
    def header(self) -> str:
        return label(self.field.get("label"), self.lang) or self.name

    @property
    def restricted(self) -> bool:
        return bool(self.field.get("ocsregistry_restricted"))

    @property
    def kind(self) -> str:
        """How a spreadsheet should hold the column's cells: "text", "code"
        (text that looks like a number), "number", "date", "datetime" or "url"."""
        name, preset = self.name, self.field.get("preset")
        if name in _URL_FIELDS or preset == "ocsregistry_url":
            return "url"
        if name == MODIFIED:
            return "datetime"
        if preset == "ocsregistry_date" or name == REVIEW_DUE:
            return "date"
        if name == REGION_CODE:
            return "code"
        if preset in _NUMBER_PRESETS or name in (FIRST_VINTAGE, LATEST_AVAILABLE, NEXT_PLANNED):
            return "number"
        return "text"


def _derived(name: str, lang: str) -> Column:
    return Column({"field_name": name, "label": _DERIVED[name]}, lang)


def columns(lang: str) -> list[Column]:
    """The table's columns in order: the schema's fields, the region's name
    beside its code, the vintages summed up beside the full list, then when
    the record was last modified and its address in the registry."""
    fields = {f["field_name"]: f for f in record.schema_fields()}
    out: list[Column] = []
    for name, field in fields.items():
        if name in SKIPPED_FIELDS or name == REGION_NAME:
            continue
        out.append(Column(field, lang))
        if name == REGION_CODE and REGION_NAME in fields:
            out.append(Column(fields[REGION_NAME], lang))
        if name == "vintages":
            out.extend(_derived(n, lang) for n in (FIRST_VINTAGE, LATEST_AVAILABLE, NEXT_PLANNED))
        if name == "review_frequency_months":
            out.append(_derived(REVIEW_DUE, lang))
    out.extend(_derived(n, lang) for n in (MODIFIED, RECORD_URL))
    return out


def _escape(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace(";", "\\;")


def _unescape(text: str) -> str:
    return text.replace("\\;", ";").replace("\\\\", "\\")


def split_list(cell: str) -> list[str]:
    return [_unescape(part).strip() for part in _SPLIT.split(cell or "") if part.strip()]


def join_list(values: list[Any]) -> str:
    return LIST_SEPARATOR.join(_escape(v) for v in values if v not in (None, ""))


def _choices(field: dict) -> list[dict]:
    # Regions have cells of their own (code beside name), not their choices' labels.
    if field.get("field_name") in (REGION_CODE, FORMER_REGIONS):
        return []
    return record.choices(field)


def choice_value(field: dict, cell: str) -> str:
    wanted = cell.strip().casefold()
    for choice in _choices(field):
        labels = choice.get("label")
        names = [choice["value"]] + (list(labels.values()) if isinstance(labels, dict) else [labels])
        if wanted in {str(n).casefold() for n in names if n}:
            return choice["value"]
    raise CellError("expected one of: " + ", ".join(
        label(c.get("label"), "fr") for c in _choices(field)))


def _years(vintages: Any, statuses: tuple[str, ...] = ()) -> list[int]:
    years = []
    for v in vintages if isinstance(vintages, list) else []:
        if not isinstance(v, dict) or (statuses and v.get("status") not in statuses):
            continue
        try:
            years.append(int(v.get("year")))
        except (TypeError, ValueError):
            continue
    return sorted(years)


def vintage_summary(name: str, vintages: Any) -> Any:
    """First vintage, latest available or next planned (``name``: FIRST_VINTAGE,
    LATEST_AVAILABLE or NEXT_PLANNED) of a record's vintages; "" if none."""
    if name == FIRST_VINTAGE:
        years = _years(vintages)
        return years[0] if years else ""
    if name == LATEST_AVAILABLE:
        years = _years(vintages, ("available",))
        return years[-1] if years else ""
    years = _years(vintages, UPCOMING_STATUSES)
    return years[0] if years else ""


def _region_codes(value: Any) -> list[str]:
    try:
        return regions.parse_codes(value)
    except ValueError:
        return [str(value)]


def cell(column: Column, record: dict[str, Any]) -> Any:
    """The value of one cell for a record (package_show / search output)."""
    field, name = column.field, column.name
    if name == RECORD_URL:
        return record.get(RECORD_URL, "")
    if name == MODIFIED:
        return str(record.get(MODIFIED) or "")[:19]  # to the second, UTC
    if name == ORGANIZATION:
        # the organisation's title (the import also reads its name, as earlier exports wrote)
        org = record.get("organization")
        if isinstance(org, dict) and (org.get("title") or org.get("name")):
            return org.get("title") or org.get("name")
        return record.get(ORGANIZATION, "") or ""
    if name in (FIRST_VINTAGE, LATEST_AVAILABLE, NEXT_PLANNED):
        return vintage_summary(name, record.get("vintages"))
    if name == REVIEW_DUE:
        due = review.due_date(record)
        return due.isoformat() if due else ""
    if name == REGION_NAME:
        code = regions.clean_code(record.get(REGION_CODE) or "")
        return regions.name(code) if code else ""
    value = record.get(name)
    if value in (None, "", []):
        return ""
    if name == FORMER_REGIONS:
        return join_list(regions.name(c) for c in _region_codes(value))
    if name == "vintages":
        status = schema_field("vintages", "status")
        return join_list(
            "{} {}{}".format(v.get("year"), choice_label(status, v.get("status"), column.lang),
                             f" ({v['note']})" if v.get("note") else "")
            for v in sorted(value, key=lambda v: v.get("year") or 0))
    if isinstance(value, list):
        if _choices(field):
            return join_list(choice_label(field, v, column.lang) for v in value)
        return join_list(value)
    if _choices(field) and field.get("preset") != "multiple_select":
        return choice_label(field, value, column.lang)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return str(value)


# A spreadsheet runs a cell starting with one of these as a formula
# (CSV injection). OWASP: prefix such text cells with a single quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(cell: Any) -> Any:
    """A CSV cell that no spreadsheet will run (numbers are left as they are)."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def for_csv(cells: list[Any], lang: str) -> list[Any]:
    """A row of cells as the CSV writes them: a region code with its name
    ("01 – Guadeloupe"), so that a spreadsheet opening the file keeps it as
    text; the import reads the code back."""
    out = list(cells)
    for i, column in enumerate(columns(lang)):
        if column.kind == "code" and i < len(out) and out[i] not in (None, ""):
            code = str(out[i])
            region = regions.get(code)
            out[i] = f"{code}{CODE_NAME_SEPARATOR}{region.name}" if region else code
    return out


_CODE_NAME = re.compile(r"^\s*([0-9A-Za-z]{1,3})\s*[–—-]\s+\S")


def _code_or_name(text: str, candidates: list) -> str:
    """A code given as such ("76", or "1" where a spreadsheet dropped the zero)
    or by its region's name; other text is left for the validator to refuse."""
    code = regions.clean_code(text)
    if regions.get(code):
        return code
    wanted = regions.normalise(text)
    found = [r.code for r in candidates if regions.normalise(r.name) == wanted]
    return found[0] if len(found) == 1 else text


def region_code(text: str) -> str:
    """A current region from a cell: its code, "76 – Occitanie" (the CSV) or its name."""
    match = _CODE_NAME.match(text)
    if match:
        return regions.clean_code(match.group(1))
    return _code_or_name(text, regions.current_regions())


def former_region_code(text: str) -> str:
    """A pre-2016 region from its code or its name (as the export writes it)."""
    return _code_or_name(text, regions.merged_regions())


def parse_cell(column: Column, text: Any) -> Any:
    """The record value of one cell, as the API takes it; raises CellError."""
    field, name = column.field, column.name
    if text is None:
        text = ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    if isinstance(text, datetime.datetime):  # a date cell of an .xlsx file
        text = text.date().isoformat() if column.kind == "date" else text.isoformat()
    elif isinstance(text, datetime.date):
        text = text.isoformat()
    text = str(text)
    if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS):
        text = text[1:]  # a cell neutralised by the export
    if "\x00" in text:
        # PostgreSQL refuses NUL in text: refused here, so that the dry run refuses it too
        raise CellError("contains a NUL character (byte 0), which cannot be stored")
    text = text.strip()
    if name == "vintages":
        return [_vintage(part, position, column.lang)
                for position, part in enumerate(split_list(text), start=1)]
    if name == REGION_CODE and text:
        return region_code(text)
    multiple = field.get("preset") in ("multiple_select", "multiple_checkbox", "multiple_text")
    if multiple:
        parts = split_list(text)
        if name == FORMER_REGIONS:
            return [former_region_code(p) for p in parts]
        if _choices(field):
            return [choice_value(field, p) for p in parts]
        return parts
    if text == "":
        return ""
    if _choices(field):
        return choice_value(field, text)
    return text


def _vintage(part: str, position: int, lang: str) -> dict[str, Any]:
    match = _VINTAGE.match(part)
    where = f"{nth('vintages', position, lang)} {quote(part)}"
    if not match:
        raise CellError(f'{where}: expected "year status (note)", e.g. "2019 Disponible (Aude)"')
    year, status_text, note = match.groups()
    try:
        status = choice_value(schema_field("vintages", "status"), status_text) if status_text else ""
    except CellError as e:
        raise CellError(f"{where}: {e}")
    vintage = {"year": year, "status": status}
    if note:
        vintage["note"] = note.strip()
    return vintage


def header_index(headers: list[Any]) -> tuple[dict[int, Column], list[str]]:
    """Which column each header names (a French or English label, or the field
    name), and what is wrong with the headers, naming each column."""
    known: dict[str, Column] = {}
    for lang in ("en", "fr"):
        for column in columns(lang):
            known[column.header.casefold()] = column
            known[column.name.casefold()] = column
    found: dict[int, Column] = {}
    first: dict[str, int] = {}
    errors = []
    for i, header in enumerate(headers):
        text = str(header).strip().lstrip("\ufeff")
        column = known.get(text.casefold())
        if column is None:
            errors.append(f"column {i + 1}: unknown column {quote(header)}"
                          + ("" if text else " (a column without a header)"))
        elif column.name in first:
            errors.append(f"column {i + 1}: column {quote(header)} appears twice "
                          f"(already column {first[column.name] + 1})")
        else:
            first[column.name] = i
            found[i] = column
    return found, errors


def language(index: dict[int, Column]) -> str:
    """The language of a file's headers (most of them), French on a tie."""
    langs = [c.lang for c in index.values()]
    return "en" if langs.count("en") > langs.count("fr") else "fr"


def record_from_row(index: dict[int, Column], row: list[Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The record a row describes, and the cells that could not be read."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for i, column in index.items():
        if column.name in READ_ONLY:
            continue
        raw = row[i] if i < len(row) else ""
        try:
            value = parse_cell(column, raw)
        except CellError as e:
            errors[column.name] = str(e)  # the report names the column
            continue
        if column.restricted and value in ("", []):
            continue  # funding cells left empty keep what the record has
        data[column.name] = value
    return data, errors


def find_column(name: str, lang: str) -> Optional[Column]:
    return next((c for c in columns(lang) if c.name == name), None)
