"""the rulebook: legal rules as data with effective dates

Revision ID: 3f6a1c8d2e47
Revises: 8d1f3a5c7e20
Create Date: 2026-12-07 22:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

from app.rulebook.defaults import default_rows

# revision identifiers, used by Alembic.
revision = '3f6a1c8d2e47'
down_revision = '8d1f3a5c7e20'
branch_labels = None
depends_on = None


def upgrade():
    rules = op.create_table('rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_until', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('to_verify', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules'))
    )
    with op.batch_alter_table('rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rules_kind'), ['kind'], unique=False)
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.bulk_insert(rules, [{**row, "updated_at": now} for row in default_rows()])


def downgrade():
    with op.batch_alter_table('rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rules_kind'))
    op.drop_table('rules')
