"""audit events: the scheme of each event's hash (old SHA-256 rows, then HMAC-SHA256)

Revision ID: 5c3e8a1f0b27
Revises: 14d912e5f111
Create Date: 2026-12-03 09:00:00.000000

Events already written keep their plain SHA-256 hash and are marked "sha256": they
stay verifiable by their old rule and form the start of the chain; every event
appended from now on is sealed with HMAC-SHA256 under AUDIT_KEY and chains to the
last of them (docs/security.md §3).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c3e8a1f0b27'
down_revision = '14d912e5f111'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheme', sa.String(length=16), nullable=False,
                                      server_default='sha256'))
    # New rows name their scheme (the model's default); only old rows take the default.
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('scheme', server_default=None)


def downgrade():
    # HMAC-sealed events cannot be checked without the new code: the column goes, the
    # rows stay.
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('scheme')
