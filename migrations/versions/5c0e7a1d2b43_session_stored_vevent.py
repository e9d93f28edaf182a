"""each session keeps its serialised VEVENT and the fingerprint it was written from

Revision ID: 5c0e7a1d2b43
Revises: 5c1e0a7d2f93
Create Date: 2026-11-28 09:00:00.000000

Existing sessions start with NULL: the feeds serialise and store them on first read.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c0e7a1d2b43'
down_revision = '5c1e0a7d2f93'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reception_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ics_vevent', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('ics_fingerprint', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('reception_sessions', schema=None) as batch_op:
        batch_op.drop_column('ics_fingerprint')
        batch_op.drop_column('ics_vevent')
