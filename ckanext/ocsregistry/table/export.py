"""CSV and Excel export of the registry, streamed.

Rows come page by page from a search with the catalogue's filters (record
ids from ``package_search``, cells from the digests), so memory does not
grow with the number of records, and only what the caller may see is
exported: private records of other CRIGEs are filtered by the search, and
restricted funding values are never in the index nor in the digests. A
member of a CRIGE (or a sysadmin) gets them for that CRIGE's records, read
from the extension's table, one query per batch of rows.
"""
from __future__ import annotations

import datetime
import json
import os
import tempfile
from typing import Any, Iterable, Iterator, Optional

import xlsxwriter

from ckanext.ocsregistry import restricted
from ckanext.ocsregistry.search import digests, query
from ckanext.ocsregistry.table import columns

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(fmt: str, lang: str) -> str:
    stem = "registre-ocs" if lang == "fr" else "ocs-registry"
    return f"{stem}-{datetime.date.today().isoformat()}.{fmt}"


def _rows(context: dict, filters: dict[str, Any], as_csv: bool) -> Iterator[tuple[str, Any]]:
    """("csv", line) or ("cells", [...]) per record; rows with the member's
    restricted values filled in are always cells."""
    lang = filters.get("lang", "fr")
    hidden = [(i, c) for i, c in enumerate(columns.columns(lang)) if c.restricted]
    search = query.package_search_params(filters)
    user = context.get("user")
    fields = (f"cells_{lang}",) + ((f"csv_{lang}",) if as_csv else ())
    for batch in digests.iter_batches(context, search, fields):
        own = restricted.for_user([name for name, _v in batch], user) if hidden else {}
        for name, values in batch:
            if name in own:
                cells = json.loads(values[f"cells_{lang}"])
                for i, column in hidden:
                    cells[i] = columns.cell(column, own[name])
                yield "cells", cells
            elif as_csv:
                yield "csv", values[f"csv_{lang}"]
            else:
                yield "cells", json.loads(values[f"cells_{lang}"])


def csv_table(rows: Iterable[list[Any]], lang: str) -> Iterator[bytes]:
    """Any table (header first) as the export writes its CSV: UTF-8 with a BOM,
    the language's delimiter, formulas neutralised. For the timeline and the
    comparison."""
    yield "\ufeff".encode("utf-8")
    for row in rows:
        yield digests.csv_line(list(row), lang).encode("utf-8")


def csv_stream(context: dict, filters: dict[str, Any], batch: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM, so that Excel reads accents right."""
    lang = filters.get("lang", "fr")
    headers = [c.header for c in columns.columns(lang)]
    chunk = ["\ufeff", digests.csv_line(headers, lang)]
    for kind, row in _rows(context, filters, as_csv=True):
        chunk.append(row if kind == "csv" else digests.csv_line(columns.for_csv(row, lang), lang))
        if len(chunk) >= batch:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    yield "".join(chunk).encode("utf-8")


def iter_rows(context: dict, filters: dict[str, Any]) -> Iterator[list[Any]]:
    """The header row, then one row of cells per record."""
    lang = filters.get("lang", "fr")
    yield [c.header for c in columns.columns(lang)]
    for _kind, cells in _rows(context, filters, as_csv=False):
        yield cells


# --- .xlsx, written by XlsxWriter ------------------------------------------------

# Excel's limits: beyond them a web address is written as plain text.
MAX_URLS = 65530
MAX_URL_LENGTH = 2079
_URL_SCHEMES = ("http://", "https://")
# Column widths, in characters: from the longest cell, within these bounds.
_MIN_WIDTH, _MAX_WIDTH = 8, 60
_DATE_FORMATS = {"fr": ("dd/mm/yyyy", "dd/mm/yyyy hh:mm"), "en": ("yyyy-mm-dd", "yyyy-mm-dd hh:mm")}


def _date(value: Any, with_time: bool) -> Optional[datetime.datetime]:
    text = str(value or "").strip()
    try:
        if with_time:
            return datetime.datetime.fromisoformat(text[:19])
        return datetime.datetime.combine(datetime.date.fromisoformat(text[:10]), datetime.time())
    except ValueError:
        return None


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


class _Sheet:
    """One worksheet written row after row (XlsxWriter's ``constant_memory``:
    a row is on disk as soon as the next one starts), each cell as its
    column says: dates as dates, numbers as numbers, web addresses as links
    (within Excel's limits), codes and everything else as text, never as a
    formula."""

    def __init__(self, book: xlsxwriter.Workbook, lang: str, cols: list[columns.Column]) -> None:
        self.cols = cols
        self.sheet = book.add_worksheet("Registre OCS" if lang == "fr" else "OCS registry")
        date_format, datetime_format = _DATE_FORMATS[lang]
        self.header_format = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                              "bg_color": "#E7EEF7", "bottom": 1})
        self.date_format = book.add_format({"num_format": date_format, "align": "left"})
        self.datetime_format = book.add_format({"num_format": datetime_format, "align": "left"})
        self.text_format = book.add_format({"num_format": "@"})  # typed-in codes stay text
        self.widths = [min(max(len(c.header), _MIN_WIDTH), 30) for c in cols]
        self.urls = 0
        self.row = 0

    def header(self, headers: list[Any]) -> None:
        for col, text in enumerate(headers):
            self.sheet.write_string(0, col, str(text), self.header_format)
        self.sheet.set_row(0, 45)
        self.row = 1

    def _width(self, col: int, shown: int) -> None:
        if shown > self.widths[col]:
            self.widths[col] = min(shown, _MAX_WIDTH)

    def _url(self, row: int, col: int, text: str) -> bool:
        if (self.urls >= MAX_URLS or len(text) > MAX_URL_LENGTH
                or not text.lower().startswith(_URL_SCHEMES)):
            return False
        try:
            written = self.sheet.write_url(row, col, text)
        except Exception:  # noqa: BLE001 - an address XlsxWriter cannot take stays text
            return False
        if written == 0:
            self.urls += 1
            return True
        return False

    def add(self, cells: list[Any]) -> None:
        row, sheet = self.row, self.sheet
        for col, (column, value) in enumerate(zip(self.cols, cells)):
            if value in (None, ""):
                continue
            kind = column.kind
            if kind in ("date", "datetime"):
                when = _date(value, kind == "datetime")
                if when is not None:
                    sheet.write_datetime(row, col, when, self.datetime_format
                                         if kind == "datetime" else self.date_format)
                    self._width(col, 16 if kind == "datetime" else 11)
                    continue
            elif kind == "number":
                number = _number(value)
                if number is not None:
                    sheet.write_number(row, col, number)
                    self._width(col, len(str(value)) + 1)
                    continue
            text = str(value)
            if kind == "url" and self._url(row, col, text):
                self._width(col, len(text))
                continue
            sheet.write_string(row, col, text, self.text_format if kind == "code" else None)
            self._width(col, max(len(line) for line in text.splitlines() or [""]))
        self.row += 1

    def finish(self) -> None:
        last_col = len(self.cols) - 1
        for col, width in enumerate(self.widths):
            self.sheet.set_column(col, col, width + 1,
                                  self.text_format if self.cols[col].kind == "code" else None)
        self.sheet.freeze_panes(1, 0)
        self.sheet.autofilter(0, 0, max(self.row - 1, 0), last_col)


def write_xlsx(path: str, rows: Iterable[list[Any]], lang: str) -> int:
    """Write the header row then the records' rows to ``path``; the number of records."""
    cols = columns.columns(lang)
    book = xlsxwriter.Workbook(path, {
        "constant_memory": True, "tmpdir": tempfile.gettempdir(),
        # cells are typed by their column, never guessed from their text
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    try:
        sheet = _Sheet(book, lang, cols)
        for i, row in enumerate(rows):
            if i == 0:
                sheet.header(row)
            else:
                sheet.add(row)
        sheet.finish()
    finally:
        book.close()
    return sheet.row - 1


def xlsx_stream(rows: Iterable[list[Any]], lang: str, chunk_size: int = 1 << 16) -> Iterator[bytes]:
    """The workbook (header row first in ``rows``), built in a temporary file
    then sent in chunks; the file is removed when sent, or when the client
    goes away."""
    fd, path = tempfile.mkstemp(prefix="ocsregistry-", suffix=".xlsx")
    os.close(fd)
    try:
        write_xlsx(path, rows, lang)
        with open(path, "rb") as f:
            while True:
                chunk = f.read(chunk_size)
                if not chunk:
                    break
                yield chunk
    finally:
        os.unlink(path)
