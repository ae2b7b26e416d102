"""pending sign-up

A firm's sign-up state (``firm.sign_up_state``: pending, approved, rejected) and its history
(``firm_sign_up_event``: who decided, when, why; never updated). Every firm that exists before
this migration was registered under the old rules and keeps working: it is approved, with one
event from source ``migration`` dated when the firm was created. The column has no default
afterwards: whoever creates a firm states its state.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:00:00+08:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = ('pending', 'approved', 'rejected')
SOURCES = ('firm', 'bureau', 'province', 'client', 'migration')


def _state() -> sa.Enum:
    return sa.Enum(*STATES, name='sign_up_state', native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table('firm_sign_up_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('state', _state(), nullable=False),
    sa.Column('source', sa.Enum(*SOURCES, name='source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('authority', sa.String(length=16), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], name=op.f('fk_firm_sign_up_event_firm_id_firm')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_firm_sign_up_event'))
    )
    with op.batch_alter_table('firm_sign_up_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_firm_sign_up_event_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_firm_sign_up_event_recorded_at'), ['recorded_at'], unique=False)

    # Added with a default so existing firms are approved, then the default is dropped (the
    # batch recreates the table on SQLite, which cannot drop a default in place).
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sign_up_state', _state(), server_default='approved', nullable=False))
    recreate = 'always' if op.get_bind().dialect.name == 'sqlite' else 'auto'
    with op.batch_alter_table('firm', schema=None, recreate=recreate) as batch_op:
        batch_op.alter_column('sign_up_state', server_default=None)
    op.execute(
        "INSERT INTO firm_sign_up_event (firm_id, state, source, authority, recorded_by, recorded_at) "
        "SELECT id, 'approved', 'migration', 'province', 'migration 0009', created_at FROM firm"
    )


def downgrade() -> None:
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_firm_sign_up_state'), type_='check')
        batch_op.drop_column('sign_up_state')

    with op.batch_alter_table('firm_sign_up_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_firm_sign_up_event_recorded_at'))
        batch_op.drop_index(batch_op.f('ix_firm_sign_up_event_firm_id'))

    op.drop_table('firm_sign_up_event')
