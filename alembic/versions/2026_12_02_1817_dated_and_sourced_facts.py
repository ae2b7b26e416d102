"""dated and sourced facts

Center status as dated events, firm tiers as approved periods, a person's education, title and
hukou as sourced declarations, and each firm's registration keeps the profile that firm declared.
The current state is carried over as the first entries, source ``migration``, dated so that every
answer given before the migration stays the same (see each step).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 18:17:42.732225+08:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BY = 'migration:0003'
_NOTE = 'carried over by migration 0003 from the undated state'
_EDUCATIONS = ('below_bachelor', 'bachelor', 'master', 'doctor')
_TITLES = ('none', 'junior', 'intermediate', 'associate_senior', 'senior')
_TIERS = ('innovative_sme', 'provincial_specialized', 'little_giant', 'key_little_giant', 'single_champion')


def upgrade() -> None:
    # --- new tables ---------------------------------------------------------------------

    op.create_table('declaration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('talent_id', sa.Integer(), nullable=False),
    sa.Column('fact', sa.Enum('education', 'title', 'hukou_city', name='declared_fact', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('source', sa.Enum('firm', 'bureau', 'province', 'client', 'migration', name='source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source_firm_id', sa.Integer(), nullable=True),
    sa.Column('source_city_code', sa.String(length=6), nullable=True),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('verification', sa.Enum('declared', 'verified', 'rejected', name='verification', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reviewed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('evidence', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('review_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(verification = 'declared') = (reviewed_at IS NULL)", name=op.f('ck_declaration_reviewed_when_decided')),
    sa.ForeignKeyConstraint(['corrects_id'], ['declaration.id'], name=op.f('fk_declaration_corrects_id_declaration')),
    sa.ForeignKeyConstraint(['source_city_code'], ['city.code'], name=op.f('fk_declaration_source_city_code_city')),
    sa.ForeignKeyConstraint(['source_firm_id'], ['firm.id'], name=op.f('fk_declaration_source_firm_id_firm')),
    sa.ForeignKeyConstraint(['talent_id'], ['talent.id'], name=op.f('fk_declaration_talent_id_talent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration'))
    )
    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declaration_source_firm_id'), ['source_firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_declaration_talent_id'), ['talent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_declaration_verification'), ['verification'], unique=False)

    op.create_table('firm_tier_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Enum('innovative_sme', 'provincial_specialized', 'little_giant', 'key_little_giant', 'single_champion', name='firm_tier', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('certificate_no', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('submitted', 'approved', 'rejected', name='tier_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source', sa.Enum('firm', 'bureau', 'province', 'client', 'migration', name='source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('submitted_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('valid_from IS NULL OR valid_to >= valid_from', name=op.f('ck_firm_tier_period_valid_to_after_valid_from')),
    sa.ForeignKeyConstraint(['firm_id'], ['firm.id'], name=op.f('fk_firm_tier_period_firm_id_firm')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_firm_tier_period'))
    )
    with op.batch_alter_table('firm_tier_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_firm_tier_period_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_firm_tier_period_state'), ['state'], unique=False)

    op.create_table('center_status_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accredited', 'rejected', 'suspended', 'closed', name='center_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('source', sa.Enum('firm', 'bureau', 'province', 'client', 'migration', name='source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('authority', sa.String(length=16), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['center_id'], ['center.id'], name=op.f('fk_center_status_event_center_id_center')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_center_status_event'))
    )
    with op.batch_alter_table('center_status_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_center_status_event_center_id'), ['center_id'], unique=False)


    # --- which declarations a policy version's facts may rest on (none named: any) -------
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fact_sources', sa.JSON(), server_default='{}', nullable=False))
    # The default fills the existing versions only; new ones are written whole by the service
    # (PostgreSQL cannot compare a json default, so the model names none).
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.alter_column('fact_sources', existing_type=sa.JSON(), server_default=None)

    # --- each firm's registration keeps the profile it declared --------------------------
    # Before, a person had one profile (the last registration's); every registration
    # starts from it.
    with op.batch_alter_table('talent_firm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('education', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('title_level', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('title_field', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('hukou_city_code', sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=True))
    for column in ('name', 'education', 'title_level', 'title_field', 'hukou_city_code'):
        op.execute(
            f"UPDATE talent_firm SET {column} = "
            f"(SELECT t.{column} FROM talent t WHERE t.id = talent_firm.talent_id)"
        )
    op.execute("UPDATE talent_firm SET version = 1")
    with op.batch_alter_table('talent_firm', schema=None) as batch_op:
        for column in ('name', 'education', 'title_level', 'version'):
            batch_op.alter_column(column, nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_talent_firm_hukou_city_code_city'), 'city', ['hukou_city_code'], ['code'])
        batch_op.create_check_constraint(batch_op.f('ck_talent_firm_education'), sa.column('education').in_(_EDUCATIONS))
        batch_op.create_check_constraint(batch_op.f('ck_talent_firm_title_level'), sa.column('title_level').in_(_TITLES))

    # --- the profile as declarations of unknown date ------------------------------------
    # effective_on NULL: true since before the records began, as every earlier check assumed.
    # A NULL hukou city was read as unknown (the hukou check undetermined): no declaration, so
    # it stays unknown, rather than a declaration of a hukou outside Guangdong.
    for fact, value, detail, where in (
        ('education', 'education', 'NULL', ''),
        ('title', 'title_level', 'title_field', ''),
        ('hukou_city', 'hukou_city_code', 'NULL', ' WHERE hukou_city_code IS NOT NULL'),
    ):
        op.execute(
            "INSERT INTO declaration (talent_id, fact, value, detail, effective_on, source,"
            " recorded_by, recorded_at, verification, version)"
            f" SELECT id, '{fact}', {value}, {detail}, NULL, 'migration', '{_BY}', created_at,"
            f" 'declared', 1 FROM talent{where}"
        )

    # --- tiers as approved periods --------------------------------------------------------
    # valid_from NULL: the start was never recorded; earlier checks held the tier valid on
    # any date up to its expiry. A tier without an expiry was valid for ever: 2099-12-31.
    op.execute(
        "INSERT INTO firm_tier_period (firm_id, tier, certificate_no, valid_from, valid_to,"
        " state, source, submitted_by, submitted_at, decided_by, decided_at, decision_note,"
        " version)"
        " SELECT id, tier, COALESCE(tier_certificate_no, ''), NULL,"
        " COALESCE(tier_expires_on, '2099-12-31'), 'approved', 'migration', "
        f"'{_BY}', created_at, '{_BY}', created_at, '{_NOTE}', 1"
        " FROM firm WHERE tier IS NOT NULL"
    )
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_firm_firm_tier'), type_='check')
        batch_op.drop_column('tier')
        batch_op.drop_column('tier_certificate_no')
        batch_op.drop_column('tier_expires_on')

    # --- center status as events ------------------------------------------------------------
    # Earlier checks read the current status for every date: the current status takes
    # effect on the opening day (a closed center: pending until its closing day, when it
    # counted as not accredited already).
    op.execute(
        "INSERT INTO center_status_event (center_id, status, effective_on, source, authority,"
        " recorded_by, note, recorded_at)"
        " SELECT id, CASE WHEN status = 'closed' THEN 'pending' ELSE status END, opened_on,"
        f" 'migration', 'migration', '{_BY}', '{_NOTE}', COALESCE(decided_at, created_at)"
        " FROM center"
    )
    op.execute(
        "INSERT INTO center_status_event (center_id, status, effective_on, source, authority,"
        " recorded_by, note, recorded_at)"
        f" SELECT id, 'closed', closed_on, 'migration', 'migration', '{_BY}', '{_NOTE}',"
        " COALESCE(decided_at, created_at) FROM center WHERE status = 'closed'"
    )


def downgrade() -> None:
    # Tiers back onto the firm: the approved period that lasts longest. The upgrade's stand-ins
    # turn back into what they stood for: 2099-12-31 into no expiry, '' into no certificate.
    with op.batch_alter_table('firm', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier_expires_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('tier_certificate_no', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('tier', sa.String(length=32), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_firm_firm_tier'), sa.column('tier').in_(_TIERS))
    latest = (
        "(SELECT {column} FROM firm_tier_period p WHERE p.firm_id = firm.id"
        " AND p.state = 'approved' ORDER BY p.valid_to DESC, p.id DESC LIMIT 1)"
    )
    for column, source in (
        ('tier', 'p.tier'),
        ('tier_certificate_no', "NULLIF(p.certificate_no, '')"),
        ('tier_expires_on', "NULLIF(p.valid_to, '2099-12-31')"),
    ):
        op.execute(f"UPDATE firm SET {column} = " + latest.format(column=source))
    # The person's profile (talent's columns) and the center's current status were kept up
    # to date beside the dated facts: nothing to restore there.
    with op.batch_alter_table('talent_firm', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_talent_firm_hukou_city_code_city'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_talent_firm_education'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_talent_firm_title_level'), type_='check')
        for column in ('version', 'hukou_city_code', 'title_field', 'title_level', 'education', 'name'):
            batch_op.drop_column(column)
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.drop_column('fact_sources')
    with op.batch_alter_table('center_status_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_center_status_event_center_id'))

    op.drop_table('center_status_event')
    with op.batch_alter_table('firm_tier_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_firm_tier_period_state'))
        batch_op.drop_index(batch_op.f('ix_firm_tier_period_firm_id'))

    op.drop_table('firm_tier_period')
    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declaration_verification'))
        batch_op.drop_index(batch_op.f('ix_declaration_talent_id'))
        batch_op.drop_index(batch_op.f('ix_declaration_source_firm_id'))

    op.drop_table('declaration')
