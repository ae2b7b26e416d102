"""decision answer hash

A decision records the hash of what it answers (without who asked, when, or its id), unique per
asker and signing key: the same question asked again with the same facts returns the stored decision
(``talent_service/eligibility/decisions/reuse.py``). Decisions stored before keep NULL and are never reused.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 10:00:00+08:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_hash', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch_op.create_unique_constraint('uq_decision_answer_asker_key', ['answer_hash', 'requested_by', 'key_id'])


def downgrade() -> None:
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_constraint('uq_decision_answer_asker_key', type_='unique')
        batch_op.drop_column('answer_hash')
