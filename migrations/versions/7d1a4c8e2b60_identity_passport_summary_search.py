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

# The same objects as app/bookings/models.py SUMMARY_SEARCH_DDL (kept here as they are
# today: a migration does not follow later edits of the models). The extensions may live
# in a schema outside the search path (a database whose extensions are in "public" and
# whose tables are in another schema), so their function and operator class are named
# with the schema they are in.
EXTENSIONS = ("pg_trgm", "unaccent")


def _extension_schema(bind, name: str) -> str:
    return bind.execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = :name"), {"name": name}).scalar_one()


def _search_ddl(bind) -> list[str]:
    trgm, unaccent = (_extension_schema(bind, name) for name in EXTENSIONS)
    return [
        "CREATE OR REPLACE FUNCTION immutable_unaccent(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
        f"AS $$ SELECT \"{unaccent}\".unaccent('\"{unaccent}\".unaccent'::regdictionary, "
        "lower($1)) $$",
        "CREATE INDEX IF NOT EXISTS ix_bookings_summary_trgm ON bookings "
        f"USING gin (immutable_unaccent(summary) \"{trgm}\".gin_trgm_ops)",
    ]


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('passport_number', sa.String(length=20), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        for name in EXTENSIONS:
            op.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
        for statement in _search_ddl(bind):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        # The extensions stay: other objects of the database may use them.
        op.execute("DROP INDEX IF EXISTS ix_bookings_summary_trgm")
        op.execute("DROP FUNCTION IF EXISTS immutable_unaccent(text)")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('passport_number')
