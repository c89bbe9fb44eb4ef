"""CSV and Excel export of the registry, streamed.

Rows come page by page from a search with the catalogue's filters (record
ids from ``package_search``, cells from ``record_cache``), so memory does not
grow with the number of records, and only what the caller may see is
exported: private records of other CRIGEs are filtered by the search, and
restricted funding values are never in the index nor in the digests. A
member of a CRIGE (or a sysadmin) gets them for that CRIGE's records, read
from the extension's table, one query per batch of rows.
"""
from __future__ import annotations

import datetime
import io
import json
import re
import zipfile
from typing import Any, Iterable, Iterator
from xml.sax.saxutils import escape


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


def csv_stream(context: dict, filters: dict[str, Any], batch: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM, so that Excel reads accents right."""
    lang = filters.get("lang", "fr")
    headers = [c.header for c in columns.columns(lang)]
    chunk = ["\ufeff", digests.csv_line(headers, lang)]
    for kind, row in _rows(context, filters, as_csv=True):
        chunk.append(row if kind == "csv" else digests.csv_line(row, lang))
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


class _Buffer(io.RawIOBase):
    """A write-only sink whose content is taken away as it is produced."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[override]
        self._chunks.append(bytes(b))
        return len(b)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


# --- .xlsx: a minimal SpreadsheetML package written row by row ---------------

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""

_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""

_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""

_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""

_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
</styleSheet>"""

_SHEET_HEAD = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>
<sheetData>"""

_SHEET_TAIL = "</sheetData></worksheet>"


def _xlsx_cell(value: Any, style: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"<c{style}><v>{value}</v></c>"
    text = escape(_ILLEGAL_XML.sub("", "" if value is None else str(value)))
    return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>'


def xlsx_stream(rows: Iterable[list[Any]], lang: str, batch: int = 200) -> Iterator[bytes]:
    sink = _Buffer()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _RELS)
        sheet_name = "Registre OCS" if lang == "fr" else "OCS registry"
        package.writestr("xl/workbook.xml", _WORKBOOK.format(name=sheet_name))
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/styles.xml", _STYLES)
        yield sink.take()
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_HEAD.encode("utf-8"))
            for i, row in enumerate(rows):
                style = ' s="1"' if i == 0 else ""
                cells = "".join(_xlsx_cell(v, style) for v in row)
                sheet.write(f"<row>{cells}</row>".encode("utf-8"))
                if i % batch == 0:
                    yield sink.take()
            sheet.write(_SHEET_TAIL.encode("utf-8"))
    yield sink.take()
