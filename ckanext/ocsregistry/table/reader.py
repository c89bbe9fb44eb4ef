"""Reading an imported table (CSV or .xlsx) into rows of cells.

Whatever is wrong with the file itself (empty, damaged, not the format its
name says, not UTF-8, an open quote) becomes one FileError whose message says
what is wrong and, when it can, on which line; never a traceback. The whole
file is read before any row is checked, so a file error is found before any
record is looked at.
"""
from __future__ import annotations

import csv
import io
import os
import warnings
from dataclasses import dataclass
from typing import Any, Optional

ZIP_MAGIC = b"PK\x03\x04"  # .xlsx is a zip archive
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old Excel .xls (and other MS Office binaries)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode text"
SAVE_AS_CSV = 'save it from the spreadsheet as "CSV UTF-8"'
SAVE_AS_XLSX = "open it in the spreadsheet and save it again as an .xlsx workbook"


class FileError(ValueError):
    """The file as a whole cannot be read; the message says why."""


@dataclass
class Table:
    rows: list[list[Any]]  # the header row first
    delimiter: Optional[str] = None  # CSV only: for the hint on cells split by it


def read_table(path: str) -> Table:
    """The rows of a .csv (UTF-8, with or without BOM; ";", "," or tab) or .xlsx file."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".csv", ".xlsx"):
        raise FileError("expected a .csv or .xlsx file")
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise FileError(f"cannot be read ({e.strerror or e})")
    if not head:
        raise FileError("the file is empty (0 bytes)")
    _check_kind(ext, head)
    return _xlsx(path) if ext == ".xlsx" else _csv(path)


def _check_kind(ext: str, head: bytes) -> None:
    """Refuse a file whose content is not what its name says (a renamed file)."""
    if head.startswith(OLE_MAGIC):
        raise FileError(f"an old Excel .xls workbook, not {ext}: {SAVE_AS_XLSX} or as CSV UTF-8")
    if ext == ".csv" and head.startswith(ZIP_MAGIC):
        raise FileError("an .xlsx workbook (a zip archive), not CSV text: "
                        "rename it to .xlsx, or save it as CSV UTF-8")
    if ext == ".xlsx" and not head.startswith(ZIP_MAGIC):
        if b"\x00" not in head or head.startswith(UTF16_BOMS):
            raise FileError("a text file, not an .xlsx workbook (a CSV renamed .xlsx?): "
                            "rename it to .csv")
        raise FileError(f"not an .xlsx workbook (it is not a zip archive): {SAVE_AS_XLSX}")


def _xlsx(path: str) -> Table:
    # openpyxl imported here: only the import of .xlsx files needs it
    from openpyxl import load_workbook

    rows: list[list[Any]] = []
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores: not the user's business
            warnings.simplefilter("ignore")
            book = load_workbook(path, read_only=True, data_only=True)
            try:
                if not book.worksheets:
                    raise FileError("the workbook has no worksheet")
                for row in book.worksheets[0].iter_rows(values_only=True):
                    rows.append(["" if v is None else v for v in row])
            finally:
                book.close()
    except FileError:
        raise
    except Exception as e:  # noqa: BLE001 - openpyxl raises a dozen types for a damaged file
        where = f" (at line {len(rows) + 1})" if rows else ""
        raise FileError(f"the .xlsx workbook is damaged or incomplete{where}: {_reason(e)}; "
                        f"{SAVE_AS_XLSX}")
    return Table(rows)


def _csv(path: str) -> Table:
    with open(path, "rb") as f:
        text = _decode(f.read())
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    # strict: an unclosed or misplaced quote is refused, not read as a cell
    # that silently swallows the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[Any]] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise FileError(_csv_problem(str(e), len(rows) + 1, start, delimiter))
        rows.append(row)
    return Table(rows, delimiter)


def _decode(raw: bytes) -> str:
    if raw.startswith(UTF16_BOMS):
        raise FileError(f"UTF-16 text (Excel's \"Unicode text\"), not UTF-8: {SAVE_AS_CSV}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        byte = raw[e.start:e.start + 1]
        guess = byte.decode("cp1252", errors="replace")
        raise FileError(f"line {line}: the file is not UTF-8 text (byte 0x{byte.hex().upper()}, "
                        f'"{guess}" in Windows-1252/Latin-1): {SAVE_AS_CSV} and import it again')


def _csv_problem(error: str, row: int, line: int, delimiter: str) -> str:
    """A csv module error in the user's words, with where it starts."""
    where = f"line {row}" if row == line else f"line {row} (text line {line})"
    if "end of data" in error:
        return (f'{where}: a quote (") opened in this row is never closed, so the rest of '
                'the file would be read as one cell; close it, or double a quote inside '
                'a quoted value ("")')
    if "expected after" in error:
        return (f'{where}: a quoted value is followed by other text before the next '
                f'"{_show_delimiter(delimiter)}"; a quote inside a quoted value must be doubled ("")')
    if "field larger than field limit" in error:
        return (f"{where}: a cell is longer than {csv.field_size_limit():,} characters "
                '(is a quote (") left open?)')
    return f"{where}: not readable as CSV ({error})"


def _show_delimiter(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else delimiter


def _reason(e: Exception) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return text[:200] or type(e).__name__
