"""The vintage timeline as an SVG picture, for slides (and, rasterised, PNG).

Written with ElementTree so that every title and note is escaped by the XML
library. Each status has its own shape (filled disc, half disc, dashed ring),
so the picture reads in black and white too; each mark links to its record.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

__all__ = ["timeline_svg", "size"]

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
COLOURS = {"available": "#1b7837", "in_production": "#b35806", "planned": "#542788",
           "unknown": "#555555"}
LABEL_WIDTH = 330
YEAR_WIDTH = 34
ROW = 20
TOP = 64
RADIUS = 6
TITLE_CHARS = 48


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): str(v)
                                          for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _short(text: str) -> str:
    return text if len(text) <= TITLE_CHARS else text[:TITLE_CHARS - 1] + "…"


def mark(parent: ET.Element, status: str, cx: float, cy: float) -> None:
    """One vintage's shape, centred on (cx, cy)."""
    colour = COLOURS.get(status, COLOURS["unknown"])
    if status == "available":
        _el(parent, "circle", cx=cx, cy=cy, r=RADIUS, fill=colour)
    elif status == "in_production":
        _el(parent, "circle", cx=cx, cy=cy, r=RADIUS, fill="#ffffff", stroke=colour, stroke_width=2)
        # the left half filled: a half disc
        _el(parent, "path", fill=colour,
            d=f"M {cx} {cy - RADIUS} A {RADIUS} {RADIUS} 0 0 0 {cx} {cy + RADIUS} Z")
    elif status == "planned":
        _el(parent, "circle", cx=cx, cy=cy, r=RADIUS, fill="#ffffff", stroke=colour,
            stroke_width=2, stroke_dasharray="3 2")
    else:
        _el(parent, "path", fill="#ffffff", stroke=colour, stroke_width=2,
            d=f"M {cx} {cy - RADIUS} L {cx + RADIUS} {cy} L {cx} {cy + RADIUS} L {cx - RADIUS} {cy} Z")


def size(data: dict[str, Any]) -> tuple[int, int]:
    """The drawing's width and height (SVG user units) for ``timeline.build``'s data."""
    lines = sum(1 + len(r["bases"]) for r in data["regions"])
    return LABEL_WIDTH + max(len(data["years"] or []), 1) * YEAR_WIDTH + 16, TOP + lines * ROW + 58


def timeline_svg(data: dict[str, Any], title: str, empty_label: str) -> str:
    """The timeline of ``timeline.build`` as an SVG document (text)."""
    years = data["years"] or []
    lines = sum(1 + len(r["bases"]) for r in data["regions"])
    width, height = size(data)
    legend_y = height - 30
    svg = ET.Element("svg", {"xmlns": SVG_NS, "version": "1.1", "width": str(width),
                             "height": str(height), "viewBox": f"0 0 {width} {height}",
                             "font-family": FONT, "font-size": "12", "role": "img",
                             "class": "ocsregistry-timeline-svg", "data-era": data["era"]})
    _el(svg, "title", title)
    _el(svg, "rect", x=0, y=0, width=width, height=height, fill="#ffffff")
    _el(svg, "text", title, x=8, y=22, font_size=16, font_weight="bold")

    axis = _el(svg, "g", class_="years", text_anchor="middle", font_size=11, fill="#333333")
    x_of = {}
    for i, year in enumerate(years):
        x_of[year] = LABEL_WIDTH + i * YEAR_WIDTH + YEAR_WIDTH / 2
        _el(axis, "text", str(year), x=x_of[year], y=TOP - 10)
        _el(axis, "line", x1=x_of[year], x2=x_of[year], y1=TOP - 4, y2=TOP + lines * ROW,
            stroke="#eeeeee", stroke_width=1)

    y = TOP
    for region in data["regions"]:
        group = _el(svg, "g", class_="region", data_region=region["code"])
        _el(group, "rect", x=0, y=y, width=width, height=ROW, fill="#f2f2f2")
        _el(group, "text", region["name"], x=8, y=y + 14, font_weight="bold")
        if not region["bases"]:
            _el(group, "text", empty_label, x=LABEL_WIDTH - 8, y=y + 14, text_anchor="end",
                fill="#666666", font_style="italic")
        y += ROW
        for base in region["bases"]:
            line = _el(group, "g", class_="base", data_record=base["name"])
            _el(line, "text", _short(base["title"]), x=20, y=y + 14)
            for v in base["vintages"]:
                link = _el(line, "a", href=base["url"], class_=f"mark mark-{v['status']}",
                           data_year=v["year"], data_status=v["status"])
                _el(link, "title", f"{base['title']} — {v['year']} : {v['status_label']}"
                    + (f" ({v['note']})" if v["note"] else ""))
                mark(link, v["status"], x_of[v["year"]], y + ROW / 2)
            y += ROW

    legend = _el(svg, "g", class_="legend")
    x = 8
    for entry in data["legend"]:
        item = _el(legend, "g", class_="legend-item", data_status=entry["value"])
        mark(item, entry["value"], x + RADIUS, legend_y)
        _el(item, "text", entry["label"], x=x + 2 * RADIUS + 6, y=legend_y + 4)
        x += 2 * RADIUS + 16 + 8 * len(entry["label"])
    return ET.tostring(svg, encoding="unicode", xml_declaration=False)
