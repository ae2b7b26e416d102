"""household members and supplied facts

A talent's household members (children) as dated records, facts a machine client supplied in a
check or verify request (kept with the decision), and per policy version the supplied facts it
accepts (existing versions accept none).

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-06 13:00:00+08:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0012'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('household_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('talent_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.Enum('child', 'other', name='household_relation', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('school_stage', sa.Enum('kindergarten', 'primary', 'junior_secondary', 'senior_secondary', name='school_stage', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('district_code', sa.String(length=6), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.Enum('firm', 'bureau', 'province', 'client', 'migration', name='source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source_firm_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['replaces_id'], ['household_member.id'], name=op.f('fk_household_member_replaces_id_household_member')),
    sa.ForeignKeyConstraint(['source_firm_id'], ['firm.id'], name=op.f('fk_household_member_source_firm_id_firm')),
    sa.ForeignKeyConstraint(['talent_id'], ['talent.id'], name=op.f('fk_household_member_talent_id_talent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_member')),
    sa.UniqueConstraint('replaces_id', name=op.f('uq_household_member_replaces_id'))
    )
    with op.batch_alter_table('household_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_member_source_firm_id'), ['source_firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_member_talent_id'), ['talent_id'], unique=False)

    op.create_table('supplied_fact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.String(length=36), nullable=False),
    sa.Column('household_member_id', sa.Integer(), nullable=False),
    sa.Column('fact', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('supplied_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('supplied_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_supplied_fact_decision_id_decision')),
    sa.ForeignKeyConstraint(['household_member_id'], ['household_member.id'], name=op.f('fk_supplied_fact_household_member_id_household_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplied_fact'))
    )
    with op.batch_alter_table('supplied_fact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplied_fact_decision_id'), ['decision_id'], unique=False)

    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepts_supplied', sa.JSON(), server_default='[]', nullable=False))
    # The default fills the existing versions only; new ones are written whole by the service.
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.alter_column('accepts_supplied', existing_type=sa.JSON(), server_default=None)



def downgrade() -> None:
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.drop_column('accepts_supplied')

    with op.batch_alter_table('supplied_fact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplied_fact_decision_id'))

    op.drop_table('supplied_fact')
    with op.batch_alter_table('household_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_member_talent_id'))
        batch_op.drop_index(batch_op.f('ix_household_member_source_firm_id'))

    op.drop_table('household_member')
