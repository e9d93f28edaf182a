"""one-time links that let a guest into one case's call

Revision ID: 9c4e2a7d1f63
Revises: 9c2d4f6a8b31
Create Date: 2026-12-08 11:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9c4e2a7d1f63'
down_revision = '9c2d4f6a8b31'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('call_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('browser_hash', sa.String(length=64), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('joined_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("role IN ('agency','interpreter','lawyer','representative')",
                       name=op.f('ck_call_invites_known_role')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'],
                            name=op.f('fk_call_invites_booking_id_bookings')),
    sa.ForeignKeyConstraint(['session_id'], ['reception_sessions.id'],
                            name=op.f('fk_call_invites_session_id_reception_sessions')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_call_invites_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_invites')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_call_invites_token_hash'))
    )
    with op.batch_alter_table('call_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_invites_booking_id'), ['booking_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_call_invites_session_id'), ['session_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('call_invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_invites_session_id'))
        batch_op.drop_index(batch_op.f('ix_call_invites_booking_id'))
    op.drop_table('call_invites')
