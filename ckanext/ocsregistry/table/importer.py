"""Import of a registry table (CSV or .xlsx, as the export writes it).

Every row is read and validated first, with the importing user's rights; the
file is written only when all of it is valid, in one database transaction, so
a bad file changes nothing. A dry run stops after the checks.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Optional

import sqlalchemy as sa
from ckan import model
from ckan.lib import plugins as lib_plugins
from ckan.lib import search
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import record, restricted
from ckanext.ocsregistry.restricted import store
from ckanext.ocsregistry.table import columns, reader
from ckanext.ocsregistry.record import DATASET_TYPE

log = logging.getLogger(__name__)


@dataclass
class RowReport:
    line: int
    name: str
    action: str = ""  # create, update, unchanged
    # field name (or "column N" for a cell beyond the header) -> messages
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, messages: list[str]) -> None:
        self.errors.setdefault(key, []).extend(messages)


@dataclass
class Report:
    rows: list[RowReport] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    # field name -> where it is in the file: 'column 12 "UMC principale (m²)"'
    places: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(r.errors for r in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)

    def place(self, key: str) -> str:
        """Which column of the file a field's errors are about ("" if none)."""
        return self.places.get(key, "")


def _places(index: dict[int, columns.Column], lang: str) -> dict[str, str]:
    """Where each field is in the file, as the user sees it; a field the file
    has no column for is said so (e.g. a required field on a new record)."""
    places = {c.name: f"no {columns.quote(c.header, 80)} column in the file"
              for c in columns.columns(lang)}
    places.update((c.name, f"column {i + 1} {columns.quote(c.header, 80)}")
                  for i, c in index.items())
    return places


def _context(user: str) -> dict[str, Any]:
    return {"user": user, "model": model, "session": model.Session, "use_cache": False}


BATCH = 500
# What a record's name can be (CKAN's name validator): only such names are
# looked up, so that a cell with quotes or spaces never reaches the search syntax.
_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")


def _existing(names: list[str], user: str) -> dict[str, dict[str, Any]]:
    """The records the file names that the user may see, by name: one search per
    batch of names (never a package_show per row), each with its restricted values
    (one query), for comparing rows with what is stored."""
    names = [n for n in names if _NAME.match(n)]
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
        if column.name not in data:
            continue
        if column.name == columns.ORGANIZATION:
            org = existing.get("organization") or {}
            if data[column.name] not in (org.get("name"), org.get("id"), existing.get("owner_org")):
                return False
        elif str(columns.cell(column, existing)) != str(columns.cell(column, data)):
            return False
    return True


class _Organizations:
    """The CRIGE a cell names: its name or id (files of earlier versions), or
    its title (the export writes the title). A title that names no
    organisation, or several, is left as it is: the schema refuses it."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            return value
        text = value.strip()
        if text not in self.known:
            self.known[text] = self._lookup(text)
        return self.known[text]

    @staticmethod
    def _lookup(text: str) -> str:
        group = model.Group.get(text)
        if group is not None and group.is_organization:
            return group.name
        found = model.Session.query(model.Group.name).filter(
            model.Group.is_organization.is_(True), model.Group.state == "active",
            sa.func.lower(model.Group.title) == text.lower()).limit(2).all()
        return found[0][0] if len(found) == 1 else text


def _messages(name: str, errors: Any, lang: str) -> list[str]:
    """A field's validation errors as readable lines. A repeating field (the
    vintages) has a list with one dict of subfield errors per item: each line
    names the item and the subfield ("2e millésime, Année: ...")."""
    out: list[str] = []
    for position, item in enumerate(errors if isinstance(errors, list) else [errors], start=1):
        if isinstance(item, dict):
            for sub, messages in item.items():
                sub_label = record.label(record.schema_field(name, sub).get("label"), lang) or sub
                out.extend(f"{columns.nth(name, position, lang)}, {sub_label}: {m}"
                           for m in _messages(sub, messages, lang))
        elif item not in (None, "", [], {}):
            out.append(str(item))
    return out


class _Checker:
    """Authorisation and schema validation of records, writing nothing.

    The right to create records in an organisation is asked once per
    organisation and import; updates are authorised row by row, since they
    depend on the record. Each row gets a schema of its own: scheming's
    ``validate`` completes the schema it is given, and decides from what is
    already there.
    """

    def __init__(self, user: str, lang: str) -> None:
        self.user, self.lang = user, lang
        self.plugin = lib_plugins.lookup_package_plugin(DATASET_TYPE)
        self.may_create: dict[str, Optional[str]] = {}  # owner_org -> refusal

    def _refusal(self, action: str, data: dict[str, Any]) -> Optional[str]:
        owner = data.get("owner_org")
        if action == "create" and isinstance(owner, str) and owner in self.may_create:
            return self.may_create[owner]
        try:
            tk.check_access(f"package_{action}", _context(self.user), data)
            refusal = None
        except tk.NotAuthorized as e:
            refusal = str(e) or tk._("Not authorized")
        if action == "create" and isinstance(owner, str):
            self.may_create[owner] = refusal
        return refusal

    def __call__(self, action: str, data: dict[str, Any]) -> dict[str, list[str]]:
        refusal = self._refusal(action, data)
        if refusal:
            return {"owner_org": [refusal]}
        schema = (self.plugin.create_package_schema() if action == "create"
                  else self.plugin.update_package_schema())
        _data, errors = lib_plugins.plugin_validate(
            self.plugin, _context(self.user), data, schema, f"package_{action}")
        return _error_lines(errors, self.lang)


def _error_lines(errors: dict[str, Any], lang: str) -> dict[str, list[str]]:
    lines = {key: _messages(key, value, lang) for key, value in errors.items()}
    return {key: messages for key, messages in lines.items() if messages}


def _beyond_header(row: list[Any], width: int, delimiter: Optional[str]) -> dict[str, list[str]]:
    """Cells right of the last header: refused, never dropped. In a CSV they
    are mostly a value split by an unquoted delimiter, and half of it would be lost."""
    extra = [(i, v) for i, v in enumerate(row[width:], start=width) if str(v).strip()]
    if not extra:
        return {}
    i, value = extra[0]
    message = (f"a value beyond the last column ({columns.quote(value)}; "
               f"the header has {width} columns)")
    if delimiter:
        shown = "tab" if delimiter == "\t" else f'"{delimiter}"'
        message += f" - a {shown} inside a value must be quoted (\"...{delimiter}...\")"
    return {f"column {i + 1}": [message]}


def _read_rows(table: reader.Table, index: dict[int, columns.Column],
               report: Report) -> list[tuple[RowReport, dict[str, Any], set[str]]]:
    """Each non-empty row: its report, the values that could be read, and the
    fields whose cells could not (their schema errors would only repeat it)."""
    width = len(index)
    out = []
    seen: dict[str, int] = {}
    organization = _Organizations()
    for line, row in enumerate(table.rows[1:], start=2):
        if not any(str(v).strip() for v in row):
            continue
        data, cell_errors = columns.record_from_row(index, row)
        if columns.ORGANIZATION in data:
            data[columns.ORGANIZATION] = organization(data[columns.ORGANIZATION])
        name = str(data.get("name") or "")
        entry = RowReport(line=line, name=name)
        report.rows.append(entry)
        for key, message in cell_errors.items():
            entry.add(key, [message])
        for key, messages in _beyond_header(row, width, table.delimiter).items():
            entry.add(key, messages)
        if not name:
            entry.add("name", ["required to match or create the record"])
        elif name in seen:
            entry.add("name", [f"already on line {seen[name]}"])
        else:
            seen[name] = line
        out.append((entry, data, set(entry.errors)))
    return out


def _plan(rows: list[tuple[RowReport, dict[str, Any], set[str]]], index: dict[int, columns.Column],
          user: str, lang: str) -> list[tuple[RowReport, dict[str, Any]]]:
    """What each row would do, every row checked as the write would check it;
    a row with unreadable cells is checked on the fields that could be read,
    so that all of its errors are listed at once."""
    existing_by_name = _existing([entry.name for entry, _d, _k in rows if entry.name], user)
    check = _Checker(user, lang)
    planned = []
    for entry, data, known in rows:
        existing = existing_by_name.get(entry.name)
        if existing is not None and existing.get("type") != DATASET_TYPE:
            entry.add("name", [f"{entry.name} is a dataset of another type"])
            continue
        if not entry.errors and existing is not None and _unchanged(index, existing, data):
            entry.action = "unchanged"
            continue
        merged = dict(existing or {}, **data, type=DATASET_TYPE)
        # ``existing`` carries restricted values for the comparison only: a field
        # the file leaves out is left out of the update, which keeps its value
        for name in set(restricted.fields()) - set(data):
            merged.pop(name, None)
        entry.action = "update" if existing else "create"
        for key, messages in check(entry.action, merged).items():
            if key not in known:
                entry.add(key, messages)
        planned.append((entry, merged))
    return planned


def run(path: str, user: str, dry_run: bool = False) -> Report:
    """Check every row of the file; write it all (unless ``dry_run``) only if all is valid."""
    report = Report()
    try:
        table = reader.read_table(path)
    except reader.FileError as e:
        report.file_errors.append(str(e))
        return report
    headers = list(table.rows[0]) if table.rows else []
    while headers and not str(headers[-1]).strip():
        headers.pop()  # a spreadsheet may carry empty columns on the right
    if not headers:
        report.file_errors.append("the file is empty (no header row)")
        return report
    index, header_errors = columns.header_index(headers)
    if header_errors:
        report.file_errors.extend(header_errors)
        return report
    if not any(c.name == "name" for c in index.values()):
        name_col = columns.find_column("name", "fr")
        report.file_errors.append(f'a "{name_col.header}" (name) column is needed to match records')
        return report
    lang = columns.language(index)
    report.places = _places(index, lang)
    planned = _plan(_read_rows(table, index, report), index, user, lang)
    _in_file_order(report, index)
    if not report.ok or dry_run:
        return report
    _write(user, planned, report, lang)
    return report


def _in_file_order(report: Report, index: dict[int, columns.Column]) -> None:
    """Each row's errors in the order of the file's columns, a value beyond the
    header first: it shifts the cells after the split, which explains their errors."""
    position = {c.name: i for i, c in index.items()}

    def key(field_name: str) -> int:
        return -1 if field_name.startswith("column ") else position.get(field_name, len(index))

    for entry in report.rows:
        entry.errors = {k: entry.errors[k] for k in sorted(entry.errors, key=key)}


def _write(user: str, planned: list[tuple[RowReport, dict[str, Any]]], report: Report,
           lang: str) -> None:
    """All rows in one transaction: either every record is written, or none.
    Whatever fails during the write (a check that passed and now fails, the
    database, the search index) is rolled back and reported, never raised."""
    entry = None
    try:
        ids = []
        for entry, data in planned:
            # return_id_only: CKAN 2.12's package_update otherwise rolls back
            # its own savepoint when the commit is deferred
            context = dict(_context(user), defer_commit=True, return_id_only=True)
            ids.append(tk.get_action(f"package_{entry.action}")(context, data))
        entry = None
        index_here = tk.check_ckan_version(min_version="2.12")
        if index_here:
            # CKAN 2.12 indexes inside the actions, and not at all when the
            # commit is deferred (2.11 indexes every written record when the
            # session commits); indexed before the commit, as 2.11 does, so
            # that an index failure still leaves nothing written
            search.rebuild(package_ids=ids, defer_commit=True, quiet=True)
        model.repo.commit()
        if index_here:
            search.commit()  # searchable at once, whatever Solr's soft-commit delay
    except tk.ValidationError as e:
        model.Session.rollback()
        errors = e.error_dict if isinstance(e.error_dict, dict) else {"": [str(e.error_dict)]}
        for key, messages in _error_lines(errors, lang).items():
            (entry or _last(planned)).add(key, messages)
    except Exception as e:  # noqa: BLE001 - any failure must leave nothing written
        model.Session.rollback()
        # the details for a developer, at debug level: the user gets one line, no traceback
        log.debug("import rolled back", exc_info=True)
        what = f"line {entry.line} ({entry.name}) could not be written" if entry else \
            "the records could not be saved"
        report.file_errors.append(f"{what}: {_reason(e)}; nothing was written")


def _last(planned: list[tuple[RowReport, dict[str, Any]]]) -> RowReport:
    return planned[-1][0]


def _reason(e: Exception) -> str:
    """The first line of an error (a database error carries the statement after it)."""
    text = str(e).strip()
    return f"{type(e).__name__}: {text.splitlines()[0][:300]}" if text else type(e).__name__
