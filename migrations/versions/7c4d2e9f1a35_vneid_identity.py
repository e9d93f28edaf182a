"""identity verified through VNeID (OpenID Connect); units that require it online

Revision ID: 7c4d2e9f1a35
Revises: 7c4e2a9b1f03
Create Date: 2026-12-12 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c4d2e9f1a35'
down_revision = '7c4e2a9b1f03'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_verified_via', sa.String(length=20),
                                      nullable=True))
        batch_op.add_column(sa.Column('identity_verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('oidc_issuer', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('oidc_subject', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_oidc_issuer_oidc_subject'),
                                          ['oidc_issuer', 'oidc_subject'])

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requires_verified_identity', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('requires_verified_identity')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_oidc_issuer_oidc_subject'), type_='unique')
        batch_op.drop_column('oidc_subject')
        batch_op.drop_column('oidc_issuer')
        batch_op.drop_column('identity_verified_at')
        batch_op.drop_column('identity_verified_via')
