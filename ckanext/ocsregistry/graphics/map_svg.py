"""The national map as one SVG picture: regions coloured as on the map page,
partial coverage hatched, each region named, overseas regions as insets, the
legend and the source below. Built with ElementTree (never by pasting strings),
from the data of ``ocsregistry_region_summary`` (or ``ocsregistry_map_data``).

The same drawing is inlined on the registry home, offered as ``map.svg`` and,
rasterised by ``graphics.raster``, as ``map.png`` for slides.
"""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from typing import Any, Callable, Optional

from ckanext.ocsregistry import regions
from ckanext.ocsregistry.graphics import outlines

__all__ = ["SVG_NS", "render", "to_string"]

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)

WIDTH = 1000.0
MARGIN = 12.0
TITLE_HEIGHT = 44.0
MAINLAND_WIDTH = 740.0
INSET_WIDTH = WIDTH - MAINLAND_WIDTH - 3 * MARGIN
INSET_HEIGHT = 118.0
LEGEND_ROW = 24.0
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
STROKE = "#555555"


def _tag(name: str) -> str:
    return f"{{{SVG_NS}}}{name}"


def _sub(parent: ET.Element, name: str, text: Optional[str] = None, **attrs: Any) -> ET.Element:
    node = ET.SubElement(parent, _tag(name), {k.replace("_", "-"): str(v) for k, v in attrs.items()
                                               if v is not None})
    if text is not None:
        node.text = text
    return node


class _Projection:
    """Longitude scaled by the cosine of the mean latitude, fitted to a box."""

    def __init__(self, rings: list[outlines.Ring], box: tuple[float, float, float, float]):
        lats = [p[1] for ring in rings for p in ring]
        self.k = math.cos(math.radians((min(lats) + max(lats)) / 2))
        xs = [p[0] * self.k for ring in rings for p in ring]
        self.min_x, self.max_y = min(xs), max(lats)
        x, y, w, h = box
        self.scale = min(w / (max(xs) - self.min_x), h / (self.max_y - min(lats)))
        # centred in the box
        self.dx = x + (w - (max(xs) - self.min_x) * self.scale) / 2
        self.dy = y + (h - (self.max_y - min(lats)) * self.scale) / 2
        self.height = (self.max_y - min(lats)) * self.scale

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        return (self.dx + (lon * self.k - self.min_x) * self.scale,
                self.dy + (self.max_y - lat) * self.scale)

    def path(self, rings: list[outlines.Ring]) -> str:
        parts = []
        for ring in rings:
            points = [self.point(lon, lat) for lon, lat in ring]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
        return "".join(parts)


def _hatch_id(region: dict[str, Any]) -> str:
    return f"hatch-{region['status']}-{region['fill_under'].lstrip('#')}"


def _fill(region: dict[str, Any]) -> str:
    return f"url(#{_hatch_id(region)})" if region.get("coverage") == "partial" else region["color"]


def _label(parent: ET.Element, text: str, x: float, y: float, size: float) -> None:
    """A name readable on any colour: a white halo under dark text."""
    common = dict(x=f"{x:.1f}", y=f"{y:.1f}", font_size=f"{size:g}", font_family=FONT,
                  text_anchor="middle", dominant_baseline="middle")
    _sub(parent, "text", text, fill="none", stroke="#ffffff", stroke_width="3",
         stroke_linejoin="round", aria_hidden="true", **common)
    _sub(parent, "text", text, fill="#1a1a1a", **common)


def _region(parent: ET.Element, region: dict[str, Any], path: str,
            link: Optional[Callable[[str], str]], describe: Callable[[dict], str]) -> ET.Element:
    holder = parent
    if link:
        holder = _sub(parent, "a", href=link(region["code"]))
    _sub(holder, "title", describe(region))
    _sub(holder, "path", d=path, fill=_fill(region), stroke=STROKE, stroke_width="0.8",
         fill_rule="evenodd", data_region=region["code"], data_status=region["status"],
         data_coverage=region.get("coverage", "full"))
    return holder


def render(data: dict[str, Any], texts: dict[str, str],
           link: Optional[Callable[[str], str]] = None) -> ET.Element:
    """The map of ``data`` (``era``, ``regions``, ``legend``) as an <svg> element.

    ``texts``: ``title``, ``source`` (a line under the legend), ``partial``
    (the legend's hatching line) and ``regions_count`` ("{n} regions").
    ``link``: a region code's address, to make each region a link."""
    era = data["era"]
    drawn = outlines.rings(era)
    by_code = {r["code"]: r for r in data["regions"] if r["code"] in drawn}
    overseas = [c for c in regions.OVERSEAS if c in by_code]
    mainland = [c for c in by_code if c not in overseas]
    legend = [e for e in data["legend"] if e["count"] or e["value"] == "nothing"]
    map_top = TITLE_HEIGHT + MARGIN
    projection = _Projection([ring for c in mainland for ring in drawn[c]],
                             (MARGIN, map_top, MAINLAND_WIDTH, 760.0))
    insets_height = len(overseas) * (INSET_HEIGHT + MARGIN)
    legend_top = map_top + max(projection.height, insets_height) + 2 * MARGIN
    height = legend_top + (len(legend) + 1) * LEGEND_ROW + 2 * LEGEND_ROW + MARGIN

    def describe(region: dict[str, Any]) -> str:
        text = f"{region['name']} : {region['status_label']}"
        return text + (f" ({region['coverage_label']})" if region.get("coverage_label") else "")

    svg = ET.Element(_tag("svg"), {
        "viewBox": f"0 0 {WIDTH:g} {height:.0f}", "width": f"{WIDTH:g}", "height": f"{height:.0f}",
        # a picture, or a group of links (a picture may not hold links)
        "role": "group" if link else "img", "aria-labelledby": "ocsregistry-map-svg-title", "class": "ocsregistry-map-svg",
        "font-family": FONT})
    _sub(svg, "title", texts["title"], id="ocsregistry-map-svg-title")
    _sub(svg, "desc", "; ".join(describe(by_code[c]) for c in by_code))
    defs = _sub(svg, "defs")
    for region in by_code.values():
        if region.get("coverage") == "partial" and defs.find(
                f"./{_tag('pattern')}[@id='{_hatch_id(region)}']") is None:
            pattern = _sub(defs, "pattern", id=_hatch_id(region), patternUnits="userSpaceOnUse",
                           width="8", height="8", patternTransform="rotate(45)")
            _sub(pattern, "rect", width="8", height="8", fill=region["fill_under"])
            _sub(pattern, "rect", width="4", height="8", fill=region["color"])
    _sub(svg, "rect", width="100%", height="100%", fill="#ffffff")
    _sub(svg, "text", texts["title"], x=f"{MARGIN:g}", y="28", font_size="20", font_weight="bold",
         fill="#1a1a1a")

    frames = _sub(svg, "g", **{"class": "insets"})  # under the regions
    shapes = _sub(svg, "g", **{"class": "regions"})
    names = _sub(svg, "g", **{"class": "region-names"})
    points = outlines.label_points(era)
    size = 12 if len(mainland) < 20 else 10
    for code in mainland:
        _region(shapes, by_code[code], projection.path(drawn[code]), link, describe)
        x, y = projection.point(*points[code])
        _label(names, by_code[code]["name"], x, y, size)

    inset_x = MARGIN * 2 + MAINLAND_WIDTH
    for i, code in enumerate(overseas):
        top = map_top + i * (INSET_HEIGHT + MARGIN)
        _sub(frames, "rect", x=f"{inset_x:g}", y=f"{top:g}", width=f"{INSET_WIDTH:g}",
             height=f"{INSET_HEIGHT:g}", fill="#f5f7fa", stroke="#bbbbbb", stroke_width="0.8")
        inset = _Projection(drawn[code], (inset_x + 6, top + 6, INSET_WIDTH - 12, INSET_HEIGHT - 30))
        _region(shapes, by_code[code], inset.path(drawn[code]), link, describe)
        _label(names, by_code[code]["name"], inset_x + INSET_WIDTH / 2, top + INSET_HEIGHT - 12, 11)

    legend_node = _sub(svg, "g", **{"class": "legend"})
    y = legend_top
    for entry in legend:
        _sub(legend_node, "rect", x=f"{MARGIN:g}", y=f"{y:g}", width="18", height="14",
             fill=entry["color"], stroke=STROKE, stroke_width="0.8")
        text = f"{entry['label']} · {texts['regions_count'].format(n=entry['count'])}"
        _sub(legend_node, "text", text, x=f"{MARGIN + 26:g}", y=f"{y + 11:g}", font_size="13",
             fill="#1a1a1a")
        y += LEGEND_ROW
    if any(r.get("coverage") == "partial" for r in by_code.values()):
        _sub(legend_node, "rect", x=f"{MARGIN:g}", y=f"{y:g}", width="18", height="14",
             fill=f"url(#{_hatch_id(next(r for r in by_code.values() if r.get('coverage') == 'partial'))})",
             stroke=STROKE, stroke_width="0.8")
        _sub(legend_node, "text", texts["partial"], x=f"{MARGIN + 26:g}", y=f"{y + 11:g}",
             font_size="13", fill="#1a1a1a")
        y += LEGEND_ROW
    _sub(svg, "text", texts["source"], x=f"{MARGIN:g}", y=f"{y + LEGEND_ROW:g}", font_size="12",
         fill="#444444")
    return svg


def to_string(svg: ET.Element, declaration: bool = True) -> str:
    """The document's text (with the XML declaration for a file, without it inline)."""
    text = ET.tostring(svg, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text) if declaration else text
