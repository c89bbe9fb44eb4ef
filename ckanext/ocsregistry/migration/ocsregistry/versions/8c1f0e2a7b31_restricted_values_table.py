"""Restricted funding and price values move out of package_extra into their own table
(out of the package's JSONB extras column on CKAN 2.12).

Before this revision they were stored as extras, so CKAN's package dict, and
everything built from it (search index, activity snapshots), could carry
them. The list of fields is the one of the schema at the time of writing; a
migration is a snapshot and must not follow later schema changes.

Revision ID: 8c1f0e2a7b31
Revises:
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

revision = "8c1f0e2a7b31"
down_revision = None
branch_labels = None
depends_on = None

FIELDS = ("amo_price", "production_price", "funders", "funding_details")
TABLE = "ocsregistry_restricted_value"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("package_id", sa.UnicodeText,
                  sa.ForeignKey("package.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("values", JSONB, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
    )
    fields = sa.bindparam("fields", list(FIELDS), type_=sa.ARRAY(sa.UnicodeText))
    bind = op.get_bind()
    if sa.inspect(bind).has_table("package_extra"):
        # CKAN 2.11: extras are rows of package_extra
        extras = "package_extra e JOIN package p ON p.id = e.package_id"
        visibility = """(SELECT v.value FROM package_extra v WHERE v.package_id = p.id
                         AND v.key = 'funding_visibility' AND v.state = 'active')"""
        remove = """DELETE FROM package_extra e USING package p
                    WHERE p.id = e.package_id AND p.type = 'ocs' AND e.key = ANY(:fields)"""
    else:
        # CKAN 2.12: extras are a JSONB column of package
        extras = "package p, jsonb_each_text(p.extras) e"
        visibility = "(p.extras ->> 'funding_visibility')"
        remove = """UPDATE package p SET extras = p.extras - :fields
                    WHERE p.type = 'ocs' AND p.extras ?| :fields"""
    bind.execute(sa.text(f"""
        INSERT INTO {TABLE} (package_id, "values", modified)
        SELECT p.id, jsonb_object_agg(e.key, e.value), now() at time zone 'utc'
        FROM {extras}
        WHERE p.type = 'ocs' AND e.key = ANY(:fields) AND coalesce(e.value, '') <> ''
        GROUP BY p.id
    """).bindparams(fields))
    bind.execute(sa.text(remove).bindparams(fields))
    if sa.inspect(bind).has_table("activity"):
        # Every snapshot of a record whose funding is not public now loses them.
        paths = " ".join(f"#- '{{package,{f}}}'" for f in FIELDS)
        bind.execute(sa.text(f"""
            UPDATE activity SET data = ((data::jsonb) {paths})::text
            WHERE activity_type IN ('new package', 'changed package', 'deleted package')
              AND (data::jsonb -> 'package') ?| :fields
              AND object_id IN (
                SELECT p.id FROM package p
                WHERE p.type = 'ocs' AND coalesce({visibility}, '') <> 'public')
        """).bindparams(fields))


def downgrade():
    bind = op.get_bind()
    if sa.inspect(bind).has_table("package_extra"):
        bind.execute(sa.text(f"""
            INSERT INTO package_extra (id, package_id, key, value, state)
            SELECT gen_random_uuid()::text, r.package_id, kv.key, kv.value, 'active'
            FROM {TABLE} r, jsonb_each_text(r."values") kv
        """))
    else:
        bind.execute(sa.text(f"""
            UPDATE package p SET extras = coalesce(p.extras, '{{}}'::jsonb) || r."values"
            FROM {TABLE} r WHERE r.package_id = p.id
        """))
    op.drop_table(TABLE)
