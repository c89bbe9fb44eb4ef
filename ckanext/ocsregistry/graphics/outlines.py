"""Region outlines (``public/ocsregistry/regions.geojson``) for drawings made
on the server: the record's mini-map, the map as SVG/PNG, label points."""
from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

__all__ = ["Ring", "rings", "label_point", "label_points"]

Ring = list[list[float]]  # [[lon, lat], ...]

_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "public", "ocsregistry",
                     "regions.geojson")


def _geometry_rings(geometry: dict[str, Any]) -> list[list[Ring]]:
    """Polygons (each a list of rings, outer first) of a Polygon or MultiPolygon."""
    coords = geometry.get("coordinates") or []
    return coords if geometry.get("type") == "MultiPolygon" else [coords]


@lru_cache(maxsize=None)
def _features() -> dict[str, dict[str, list]]:
    """{era: {code: [polygon, ...]}}, read once."""
    with open(_PATH, encoding="utf-8") as f:
        features = json.load(f)["features"]
    out: dict[str, dict[str, list]] = {}
    for feature in features:
        for era in feature["properties"].get("eras", []):
            out.setdefault(era, {})[feature["properties"]["code"]] = _geometry_rings(
                feature["geometry"])
    return out


def polygons(era: str) -> dict[str, list[list[Ring]]]:
    """Each region of ``era`` ("2016" or "pre-2016") as polygons of rings."""
    return _features().get(era, {})


def rings(era: str) -> dict[str, list[Ring]]:
    """Each region's rings (outer and holes, every polygon), for drawing."""
    return {code: [ring for polygon in polys for ring in polygon]
            for code, polys in polygons(era).items()}


def _area_centroid(ring: Ring) -> tuple[float, float, float]:
    """(|area|, lon, lat) of a ring's centroid (shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if not area:
        return 0.0, ring[0][0], ring[0][1]
    return abs(area / 2), cx / (3 * area), cy / (3 * area)


def label_point(polys: list[list[Ring]]) -> tuple[float, float]:
    """Where a region's name goes: the centroid of its largest polygon's outline
    (islands and detached parts do not pull it into the sea)."""
    _area, lon, lat = max(_area_centroid(polygon[0]) for polygon in polys if polygon)
    return lon, lat


@lru_cache(maxsize=None)
def label_points(era: str) -> dict[str, tuple[float, float]]:
    """{code: (lon, lat)} of every region of ``era``."""
    return {code: label_point(polys) for code, polys in polygons(era).items()}
