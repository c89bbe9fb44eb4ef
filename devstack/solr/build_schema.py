"""Write CKAN's own Solr schema.xml plus the fields ckanext-spatial needs.

The schema is taken from the installed ckan package so that it always matches
the CKAN version in use. Usage: python build_schema.py OUTPUT_PATH
"""
import os
import sys

import ckan

SPATIAL_TYPES = """
    <!-- ckanext-spatial, solr-spatial-field backend (JTS geometries) -->
    <fieldType name="location_rpt" class="solr.SpatialRecursivePrefixTreeFieldType"
        spatialContextFactory="JTS" autoIndex="true" validationRule="repairBuffer0"
        distErrPct="0.025" maxDistErr="0.001" distanceUnits="kilometers" />
"""

SPATIAL_FIELDS = """
    <!-- ckanext-spatial: solr-bbox and solr-spatial-field backends -->
    <field name="bbox_area" type="float" indexed="true" stored="true" />
    <field name="maxx" type="float" indexed="true" stored="true" />
    <field name="maxy" type="float" indexed="true" stored="true" />
    <field name="minx" type="float" indexed="true" stored="true" />
    <field name="miny" type="float" indexed="true" stored="true" />
    <field name="spatial_geom" type="location_rpt" indexed="true" stored="true" multiValued="true" />
"""


def build(source: str) -> str:
    for marker in ("</types>", "</fields>"):
        if source.count(marker) != 1:
            raise SystemExit(f"CKAN schema.xml layout changed: expected one {marker}")
    source = source.replace("</types>", SPATIAL_TYPES + "</types>")
    return source.replace("</fields>", SPATIAL_FIELDS + "</fields>")


def main() -> None:
    src = os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml")
    with open(src, encoding="utf-8") as f:
        out = build(f.read())
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        f.write(out)


if __name__ == "__main__":
    main()
