"""users: passport number; PostgreSQL: accent-insensitive trigram search of summaries

Revision ID: 7d1a4c8e2b60
Revises: 3f6a1c8d2e47
Create Date: 2026-12-08 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7d1a4c8e2b60'
down_revision = '3f6a1c8d2e47'
branch_labels = None
depends_on = None

# The same statements as app/bookings/models.py SUMMARY_SEARCH_DDL (kept here as they
# are today: a migration does not follow later edits of the models).
SEARCH_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE OR REPLACE FUNCTION immutable_unaccent(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
    "AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, lower($1)) $$",
    "CREATE INDEX IF NOT EXISTS ix_bookings_summary_trgm ON bookings "
    "USING gin (immutable_unaccent(summary) gin_trgm_ops)",
)


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('passport_number', sa.String(length=20), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        for statement in SEARCH_DDL:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        # The extensions stay: other objects of the database may use them.
        op.execute("DROP INDEX IF EXISTS ix_bookings_summary_trgm")
        op.execute("DROP FUNCTION IF EXISTS immutable_unaccent(text)")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('passport_number')
