"""pycsw's records table (the CSW endpoint's repository) and its spatial function.

The columns are pycsw 2.6's (``pycsw.core.admin.setup_db``), as text, listed here
(a migration is a snapshot, so it does not import csw/repository.py); one row
per public registry record, removed with the record (foreign key). The
database has no PostGIS: pycsw's spatial filters then call
``query_spatial(wkt, wkt, predicate, distance)``, which pycsw would create in
PL/Python. Here it is PL/pgSQL on envelopes: the registry's geometries are
region bounding boxes and CSW clients filter with a BBOX, so comparing
envelopes gives the exact answer for them. Rows are filled by
``ckan ocsregistry csw-sync`` and on every save.

Revision ID: 5d2e9c41a0b7
Revises: 8c1f0e2a7b31
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa

revision = "5d2e9c41a0b7"
down_revision = "8c1f0e2a7b31"
branch_labels = None
depends_on = None

TABLE = "ocsregistry_csw_record"
REQUIRED = ("typename", "schema", "mdsource", "insert_date", "xml", "anytext")
OPTIONAL = (
    "language", "type", "title", "title_alternate", "abstract", "keywords", "keywordstype",
    "parentidentifier", "relation", "time_begin", "time_end", "topicategory",
    "resourcelanguage", "creator", "publisher", "contributor", "organization",
    "securityconstraints", "accessconstraints", "otherconstraints", "date", "date_revision",
    "date_creation", "date_publication", "date_modified", "format", "source", "crs",
    "geodescode", "denominator", "distancevalue", "distanceuom", "wkt_geometry",
    "servicetype", "servicetypeversion", "operation", "couplingtype", "operateson",
    "operatesonidentifier", "operatesoname", "degree", "classification",
    "conditionapplyingtoaccessanduse", "lineage", "responsiblepartyrole",
    "specificationtitle", "specificationdate", "specificationdatetype", "links",
)

ENVELOPE = """
CREATE OR REPLACE FUNCTION ocsregistry_wkt_envelope(wkt text) RETURNS float8[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY[min(p[1]::float8), min(p[2]::float8), max(p[1]::float8), max(p[2]::float8)]
  FROM regexp_matches(split_part(wkt, ';', -1),
                      '(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)\\s+(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)', 'g') AS p
$$
"""

QUERY_SPATIAL = """
CREATE OR REPLACE FUNCTION query_spatial(bbox_data_wkt text, bbox_input_wkt text,
                                         predicate text, distance text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  a float8[] := ocsregistry_wkt_envelope(bbox_data_wkt);
  b float8[] := ocsregistry_wkt_envelope(bbox_input_wkt);
  meets boolean;
  result boolean;
BEGIN
  IF a[1] IS NULL OR b[1] IS NULL THEN
    RETURN 'false';
  END IF;
  meets := a[1] <= b[3] AND b[1] <= a[3] AND a[2] <= b[4] AND b[2] <= a[4];
  result := CASE lower(predicate)
    WHEN 'bbox' THEN meets
    WHEN 'intersects' THEN meets
    WHEN 'disjoint' THEN NOT meets
    WHEN 'within' THEN a[1] >= b[1] AND a[3] <= b[3] AND a[2] >= b[2] AND a[4] <= b[4]
    WHEN 'contains' THEN b[1] >= a[1] AND b[3] <= a[3] AND b[2] >= a[2] AND b[4] <= a[4]
    WHEN 'equals' THEN a = b
    WHEN 'overlaps' THEN meets AND NOT (a[1] >= b[1] AND a[3] <= b[3] AND a[2] >= b[2] AND a[4] <= b[4])
                               AND NOT (b[1] >= a[1] AND b[3] <= a[3] AND b[2] >= a[2] AND b[4] <= a[4])
    WHEN 'touches' THEN meets AND (a[1] = b[3] OR b[1] = a[3] OR a[2] = b[4] OR b[2] = a[4])
    WHEN 'crosses' THEN false
    ELSE NULL
  END;
  IF result IS NULL THEN
    RAISE EXCEPTION 'Invalid spatial predicate: %', predicate;
  END IF;
  RETURN CASE WHEN result THEN 'true' ELSE 'false' END;
END
$$
"""


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("identifier", sa.UnicodeText,
                  sa.ForeignKey("package.id", ondelete="CASCADE"), primary_key=True),
        *(sa.Column(name, sa.UnicodeText, nullable=False) for name in REQUIRED),
        *(sa.Column(name, sa.UnicodeText) for name in OPTIONAL),
    )
    for name in ("typename", "type", "title", "date_modified"):
        op.create_index(f"{TABLE}_{name}_idx", TABLE, [name])
    op.execute(ENVELOPE)
    op.execute(QUERY_SPATIAL)


def downgrade():
    op.execute("DROP FUNCTION IF EXISTS query_spatial(text, text, text, text)")
    op.execute("DROP FUNCTION IF EXISTS ocsregistry_wkt_envelope(text)")
    op.drop_table(TABLE)
