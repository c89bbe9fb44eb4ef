"""Import of a registry table (CSV or .xlsx, as the export writes it).

Every row is read and validated first, with the importing user's rights; the
file is written only when all of it is valid, in one database transaction, so
a bad file changes nothing. A dry run stops after the checks.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from typing import Any, Iterator

from ckan import model
from ckan.lib import plugins as lib_plugins
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import restricted
from ckanext.ocsregistry.restricted import store
from ckanext.ocsregistry.table import columns
from ckanext.ocsregistry.record import DATASET_TYPE


@dataclass
class RowReport:
    line: int
    name: str
    action: str = ""  # create, update, unchanged
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Report:
    rows: list[RowReport] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(r.errors for r in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)


def read_table(path: str) -> Iterator[list[Any]]:
    """Rows of a .csv (UTF-8, with or without BOM; ";", "," or tab) or .xlsx file."""
    ext = os.path.splitext(path)[1].lower()
    if ext == ".xlsx":
        from openpyxl import load_workbook
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            for row in book.worksheets[0].iter_rows(values_only=True):
                yield ["" if v is None else v for v in row]
        finally:
            book.close()
    elif ext == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as f:
            first = f.readline()
            f.seek(0)
            delimiter = max(";,\t", key=first.count)
            yield from csv.reader(f, delimiter=delimiter)
    else:
        raise columns.CellError(f"{path}: expected a .csv or .xlsx file")


def _context(user: str) -> dict[str, Any]:
    return {"user": user, "model": model, "session": model.Session, "use_cache": False}


BATCH = 500


def _existing(names: list[str], user: str) -> dict[str, dict[str, Any]]:
    """The records the file names that the user may see, by name: one search per
    batch of names (never a package_show per row), each with its restricted values
    (one query), for comparing rows with what is stored."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(names), BATCH):
        batch = names[start:start + BATCH]
        result = tk.get_action("package_search")(_context(user), {
            "fq": "+name:({})".format(" OR ".join(f'"{n}"' for n in batch)),
            "rows": len(batch), "include_private": True, "include_drafts": True})
        found.update((r["name"], r) for r in result["results"])
    stored = store.get_many(list(found))
    return {name: dict(r, **restricted.shown_values(r.get("type"), stored.get(name, {})))
            for name, r in found.items()}


def _unchanged(index: dict, existing: dict, data: dict) -> bool:
    for column in index.values():
        if column.name in data and (str(columns.cell(column, existing))
                                    != str(columns.cell(column, data))):
            return False
    return True


def _check(user: str, action: str, data: dict[str, Any]) -> dict[str, list[str]]:
    """Authorisation and schema validation of one record, writing nothing."""
    context = _context(user)
    try:
        tk.check_access(f"package_{action}", context, data)
    except tk.NotAuthorized as e:
        return {"owner_org": [str(e) or tk._("Not authorized")]}
    plugin = lib_plugins.lookup_package_plugin(DATASET_TYPE)
    schema = plugin.create_package_schema() if action == "create" else plugin.update_package_schema()
    _data, errors = lib_plugins.plugin_validate(plugin, context, data, schema, f"package_{action}")
    return {k: [str(m) for m in v] for k, v in errors.items() if v}


def run(path: str, user: str, dry_run: bool = False) -> Report:
    report = Report()
    try:
        rows = iter(read_table(path))
        headers = next(rows, None)
        if not headers:
            report.file_errors.append("the file is empty")
            return report
        index = columns.header_index([str(h) for h in headers])
    except (columns.CellError, OSError, ValueError, KeyError) as e:
        report.file_errors.append(str(e))
        return report
    if not any(c.name == "name" for c in index.values()):
        name_col = columns.find_column("name", "fr")
        report.file_errors.append(f'a "{name_col.header}" (name) column is needed to match records')
        return report

    parsed: list[tuple[RowReport, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        if not any(str(v).strip() for v in row):
            continue
        data, cell_errors = columns.record_from_row(index, row)
        name = str(data.get("name") or "")
        entry = RowReport(line=line, name=name)
        report.rows.append(entry)
        entry.errors.update({k: [v] for k, v in cell_errors.items()})
        if not name:
            entry.errors.setdefault("name", []).append("required to match or create the record")
            continue
        if name in seen:
            entry.errors.setdefault("name", []).append(f"already on line {seen[name]}")
            continue
        seen[name] = line
        if not entry.errors:
            parsed.append((entry, data))

    existing_by_name = _existing([entry.name for entry, _data in parsed], user)
    planned: list[tuple[RowReport, dict[str, Any]]] = []
    for entry, data in parsed:
        existing = existing_by_name.get(entry.name)
        if existing is not None and existing.get("type") != DATASET_TYPE:
            entry.errors["name"] = [f"{entry.name} is a dataset of another type"]
            continue
        if existing is not None and _unchanged(index, existing, data):
            entry.action = "unchanged"
            continue
        merged = dict(existing or {}, **data, type=DATASET_TYPE)
        # ``existing`` carries restricted values for the comparison only: a field
        # the file leaves out is left out of the update, which keeps its value
        for name in set(restricted.fields()) - set(data):
            merged.pop(name, None)
        entry.action = "update" if existing else "create"
        entry.errors.update(_check(user, entry.action, merged))
        planned.append((entry, merged))

    if not report.ok or dry_run:
        return report
    _write(user, planned)
    return report


def _write(user: str, planned: list[tuple[RowReport, dict[str, Any]]]) -> None:
    """All rows in one transaction: either every record is written, or none."""
    try:
        for entry, data in planned:
            context = dict(_context(user), defer_commit=True)
            tk.get_action(f"package_{entry.action}")(context, data)
        model.repo.commit()
    except Exception:
        model.Session.rollback()
        raise
