"""Write CKAN's own Solr schema.xml plus the fields ckanext-spatial needs.

The schema is taken from the installed ckan package so that it always matches
the CKAN version in use. Usage: python build_schema.py OUTPUT_PATH [--solrcloud]

--solrcloud: for a SolrCloud collection, ``_version_`` becomes a long. CKAN's
schema declares it a string (ckan/ckan#8373, #9088), which a standalone core
never notices; but SolrCloud replicas read each document's version back from
the index as a number (VersionInfo.getVersionFromIndex), so with a string every
update of an existing document fails on the replicas
(UnsupportedOperationException), the leader sends them into recovery and,
until they recover, they answer searches with stale or missing documents.
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


STRING_VERSION = '<field name="_version_" type="string" indexed="true" stored="true"/>'
LONG_VERSION = ('<field name="_version_" type="plong" indexed="true" stored="true" '
                'docValues="true"/>')


def build(source: str, solrcloud: bool = False) -> str:
    if solrcloud:
        if source.count(STRING_VERSION) != 1:
            raise SystemExit(f"CKAN schema.xml changed: expected one {STRING_VERSION}")
        source = source.replace(STRING_VERSION, LONG_VERSION)
    for marker in ("</types>", "</fields>"):
        if source.count(marker) != 1:
            raise SystemExit(f"CKAN schema.xml layout changed: expected one {marker}")
    source = source.replace("</types>", SPATIAL_TYPES + "</types>")
    return source.replace("</fields>", SPATIAL_FIELDS + "</fields>")


def main() -> None:
    args = sys.argv[1:]
    solrcloud = "--solrcloud" in args
    paths = [a for a in args if a != "--solrcloud"]
    if len(paths) != 1:
        raise SystemExit("usage: build_schema.py OUTPUT_PATH [--solrcloud]")
    src = os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml")
    with open(src, encoding="utf-8") as f:
        out = build(f.read(), solrcloud)
    with open(paths[0], "w", encoding="utf-8") as f:
        f.write(out)


if __name__ == "__main__":
    main()
