"""INSEE regions, current (2016) and pre-2016, as shipped with the extension.

``data/insee_regions.csv`` is the official list; ``data/region_bboxes.json`` is
built by ``scripts/build_regions.py`` from public-domain outlines.
"""
from __future__ import annotations

import csv
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional

_DATA = os.path.join(os.path.dirname(__file__), "data")

CURRENT = "2016"
# Current regions drawn as insets beside mainland France (the map page passes
# them to its script, which draws them apart).
OVERSEAS = ("01", "02", "03", "04", "06")
PRE_2016 = "pre-2016"


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    era: str
    current_code: str

    @property
    def merged(self) -> bool:
        """A pre-2016 region that no longer exists as such."""
        return self.era == PRE_2016


@lru_cache(maxsize=None)
def _regions() -> dict[str, Region]:
    with open(os.path.join(_DATA, "insee_regions.csv"), encoding="utf-8") as f:
        return {
            row["code"]: Region(row["code"], row["name"], row["era"], row["current_region_code"])
            for row in csv.DictReader(f)
        }


@lru_cache(maxsize=None)
def _bboxes() -> dict[str, tuple[float, float, float, float]]:
    with open(os.path.join(_DATA, "region_bboxes.json"), encoding="utf-8") as f:
        return {code: tuple(box) for code, box in json.load(f).items()}


def get(code: str) -> Optional[Region]:
    return _regions().get(code)


def current_regions() -> list[Region]:
    return sorted((r for r in _regions().values() if r.era == CURRENT), key=lambda r: normalise(r.name))


def merged_regions() -> list[Region]:
    """The pre-2016 regions that the 2016 reform merged into a larger one."""
    return sorted((r for r in _regions().values() if r.merged), key=lambda r: normalise(r.name))


def pre_2016_regions() -> list[Region]:
    """The regions as they were before 2016: merged ones plus those left unchanged."""
    unchanged = [r for r in current_regions() if not predecessors(r.code)]
    return sorted(merged_regions() + unchanged, key=lambda r: normalise(r.name))


def predecessors(current_code: str) -> list[str]:
    return sorted(r.code for r in merged_regions() if r.current_code == current_code)


def covered_pre_2016_codes(current_code: str, former_codes: Iterable[str]) -> list[str]:
    """The pre-2016 regions a record covers: those it names, else all of its region."""
    former = sorted(set(former_codes))
    if former:
        return former
    return predecessors(current_code) or [current_code]


def clean_code(value: object) -> str:
    """An INSEE region code as typed ("1" becomes "01")."""
    text = value.strip() if isinstance(value, str) else str(value).strip()
    return text.zfill(2) if text.isdigit() and len(text) == 1 else text


def parse_codes(value: object) -> list[str]:
    """Codes from a form (list), the API (list or JSON) or a spreadsheet ("91; 73").

    ``ValueError`` when the text looks like JSON but is not.
    """
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            value = json.loads(text)
        else:
            value = re.split(r"[;,|\s]+", text)
    if not isinstance(value, (list, tuple)):
        value = [value]
    codes = (clean_code(v) for v in value)
    return [c for c in codes if c]


def covered_regions(value: object) -> list[str]:
    """The codes of an organisation's "regions covered" extra ([] if unreadable)."""
    try:
        return parse_codes(value)
    except ValueError:
        return []


def name(code: str) -> str:
    region = get(code)
    return region.name if region else code


def display_name(current_code: str, former_codes: Iterable[str]) -> str:
    """Canonical region label of a record, e.g. "Occitanie (Languedoc-Roussillon)"."""
    former = sorted(set(former_codes))
    if not former or former == predecessors(current_code):
        return name(current_code)
    return "{} ({})".format(name(current_code), ", ".join(name(c) for c in former))


def normalise(text: str) -> str:
    """Compare region names regardless of case, accents, hyphens and spacing."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    for sep in "-'’_,()":
        text = text.replace(sep, " ")
    return " ".join(text.replace(" et ", " ").split())


def accepted_names(current_code: str, former_codes: Iterable[str]) -> set[str]:
    """Normalised names a user may give for this coverage."""
    former = sorted(set(former_codes))
    names = {display_name(current_code, former), name(current_code)}
    if former:
        names.add(" ".join(name(c) for c in former))
    return {normalise(n) for n in names}


def bbox(codes: Iterable[str]) -> Optional[tuple[float, float, float, float]]:
    boxes = [_bboxes()[c] for c in codes if c in _bboxes()]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def bbox_geojson(codes: Iterable[str]) -> Optional[str]:
    """A GeoJSON polygon of the bounding box, as ckanext-spatial indexes it."""
    box = bbox(codes)
    if box is None:
        return None
    w, s, e, n = box
    ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})
