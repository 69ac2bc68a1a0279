"""initial schema: versioned FHIR resources, ingest log, analytic projection

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.storage.types import JsonDocument, UtcDateTime

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('analytic_birth',
    sa.Column('baby_id', sa.String(length=64), nullable=False),
    sa.Column('mother_id', sa.String(length=64), nullable=False),
    sa.Column('delivery_id', sa.String(length=64), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('birth_month', sa.Date(), nullable=False),
    sa.Column('site_code', sa.String(length=16), nullable=True),
    sa.Column('plurality', sa.Integer(), nullable=True),
    sa.Column('birth_order', sa.Integer(), nullable=True),
    sa.Column('birth_outcome', sa.String(length=32), nullable=True),
    sa.Column('gestation_days', sa.Integer(), nullable=True),
    sa.Column('birth_weight_g', sa.Integer(), nullable=True),
    sa.Column('baby_sex', sa.String(length=16), nullable=True),
    sa.Column('onset_of_labour', sa.String(length=32), nullable=True),
    sa.Column('mode_of_birth', sa.String(length=32), nullable=True),
    sa.Column('presentation', sa.String(length=16), nullable=True),
    sa.Column('perineal_trauma', sa.String(length=32), nullable=True),
    sa.Column('blood_loss_ml', sa.Integer(), nullable=True),
    sa.Column('apgar_5min', sa.Integer(), nullable=True),
    sa.Column('first_feed', sa.String(length=16), nullable=True),
    sa.Column('skin_to_skin_1h', sa.Boolean(), nullable=True),
    sa.Column('mother_age_years', sa.Integer(), nullable=True),
    sa.Column('age_band', sa.String(length=8), nullable=True),
    sa.Column('parity', sa.Integer(), nullable=True),
    sa.Column('ethnic_category', sa.String(length=4), nullable=True),
    sa.Column('ethnic_group', sa.String(length=16), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('interpreter_required', sa.Boolean(), nullable=True),
    sa.Column('postcode', sa.String(length=8), nullable=True),
    sa.Column('lsoa_code', sa.String(length=9), nullable=True),
    sa.Column('imd_decile', sa.Integer(), nullable=True),
    sa.Column('imd_quintile', sa.Integer(), nullable=True),
    sa.Column('booking_gestation_days', sa.Integer(), nullable=True),
    sa.Column('bmi_at_booking', sa.Numeric(precision=4, scale=1, asdecimal=False), nullable=True),
    sa.Column('smoking_at_booking', sa.String(length=8), nullable=True),
    sa.Column('smoking_at_delivery', sa.String(length=8), nullable=True),
    sa.Column('pmh_referral', sa.Boolean(), nullable=True),
    sa.Column('pmh_referral_source', sa.String(length=16), nullable=True),
    sa.Column('nnu_admitted', sa.Boolean(), nullable=False),
    sa.Column('nnu_days_intensive', sa.Integer(), nullable=True),
    sa.Column('nnu_days_high_dependency', sa.Integer(), nullable=True),
    sa.Column('nnu_days_special', sa.Integer(), nullable=True),
    sa.Column('nnu_days_transitional', sa.Integer(), nullable=True),
    sa.Column('nnu_discharge_destination', sa.String(length=16), nullable=True),
    sa.Column('breast_milk_at_nnu_discharge', sa.String(length=16), nullable=True),
    sa.Column('hie_grade', sa.String(length=16), nullable=True),
    sa.Column('therapeutic_hypothermia', sa.Boolean(), nullable=True),
    sa.Column('brain_injury', sa.String(length=16), nullable=True),
    sa.Column('neonatal_death', sa.Boolean(), nullable=False),
    sa.Column('feeding_6_8_weeks', sa.String(length=24), nullable=True),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('baby_id', name=op.f('pk_analytic_birth'))
    )
    with op.batch_alter_table('analytic_birth', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytic_birth_birth_month'), ['birth_month'], unique=False)
        batch_op.create_index(batch_op.f('ix_analytic_birth_ethnic_group_birth_month'), ['ethnic_group', 'birth_month'], unique=False)
        batch_op.create_index(batch_op.f('ix_analytic_birth_imd_quintile_birth_month'), ['imd_quintile', 'birth_month'], unique=False)
        batch_op.create_index(batch_op.f('ix_analytic_birth_mother_id'), ['mother_id'], unique=False)

    op.create_table('analytic_contact',
    sa.Column('contact_id', sa.String(length=64), nullable=False),
    sa.Column('mother_id', sa.String(length=64), nullable=True),
    sa.Column('baby_id', sa.String(length=64), nullable=True),
    sa.Column('contact_date', sa.Date(), nullable=False),
    sa.Column('contact_month', sa.Date(), nullable=False),
    sa.Column('contact_type', sa.String(length=32), nullable=False),
    sa.Column('infant_feeding', sa.String(length=24), nullable=True),
    sa.Column('maternal_mood_screen', sa.String(length=16), nullable=True),
    sa.Column('pmh_referral', sa.Boolean(), nullable=True),
    sa.Column('pmh_referral_source', sa.String(length=16), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('interpreter_used', sa.Boolean(), nullable=True),
    sa.Column('imd_decile', sa.Integer(), nullable=True),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('contact_id', name=op.f('pk_analytic_contact'))
    )
    with op.batch_alter_table('analytic_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytic_contact_contact_month_contact_type'), ['contact_month', 'contact_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_analytic_contact_mother_id'), ['mother_id'], unique=False)

    op.create_table('fhir_resource',
    sa.Column('resource_type', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('last_updated', UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('resource', JsonDocument, nullable=True),
    sa.PrimaryKeyConstraint('resource_type', 'id', name=op.f('pk_fhir_resource'))
    )
    with op.batch_alter_table('fhir_resource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fhir_resource_resource_type_last_updated'), ['resource_type', 'last_updated'], unique=False)

    op.create_table('fhir_resource_version',
    sa.Column('resource_type', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('last_updated', UtcDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('resource', JsonDocument, nullable=True),
    sa.PrimaryKeyConstraint('resource_type', 'id', 'version_id', name=op.f('pk_fhir_resource_version'))
    )
    with op.batch_alter_table('fhir_resource_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fhir_resource_version_resource_type_last_updated'), ['resource_type', 'last_updated'], unique=False)

    op.create_table('ingest_run',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source_system', sa.String(length=32), nullable=False),
    sa.Column('file_name', sa.String(length=512), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('mapping_name', sa.String(length=128), nullable=False),
    sa.Column('mapping_sha256', sa.String(length=64), nullable=False),
    sa.Column('started_at', UtcDateTime(), nullable=False),
    sa.Column('finished_at', UtcDateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_loaded', sa.Integer(), nullable=False),
    sa.Column('rows_unchanged', sa.Integer(), nullable=False),
    sa.Column('rows_quarantined', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingest_run'))
    )
    with op.batch_alter_table('ingest_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ingest_run_file_sha256'), ['file_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_ingest_run_source_system_started_at'), ['source_system', 'started_at'], unique=False)

    op.create_table('quarantined_row',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('ingest_run_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('source_key', sa.String(length=128), nullable=True),
    sa.Column('raw_row', JsonDocument, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('resolved_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ingest_run_id'], ['ingest_run.id'], name=op.f('fk_quarantined_row_ingest_run_id_ingest_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantined_row'))
    )
    with op.batch_alter_table('quarantined_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantined_row_ingest_run_id_row_number'), ['ingest_run_id', 'row_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_quarantined_row_source_key'), ['source_key'], unique=False)

    op.create_table('quarantine_reason',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('quarantined_row_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=128), nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['quarantined_row_id'], ['quarantined_row.id'], name=op.f('fk_quarantine_reason_quarantined_row_id_quarantined_row'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine_reason'))
    )
    with op.batch_alter_table('quarantine_reason', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantine_reason_quarantined_row_id'), ['quarantined_row_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quarantine_reason_rule'), ['rule'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quarantine_reason', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_reason_rule'))
        batch_op.drop_index(batch_op.f('ix_quarantine_reason_quarantined_row_id'))

    op.drop_table('quarantine_reason')
    with op.batch_alter_table('quarantined_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantined_row_source_key'))
        batch_op.drop_index(batch_op.f('ix_quarantined_row_ingest_run_id_row_number'))

    op.drop_table('quarantined_row')
    with op.batch_alter_table('ingest_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ingest_run_source_system_started_at'))
        batch_op.drop_index(batch_op.f('ix_ingest_run_file_sha256'))

    op.drop_table('ingest_run')
    with op.batch_alter_table('fhir_resource_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fhir_resource_version_resource_type_last_updated'))

    op.drop_table('fhir_resource_version')
    with op.batch_alter_table('fhir_resource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fhir_resource_resource_type_last_updated'))

    op.drop_table('fhir_resource')
    with op.batch_alter_table('analytic_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytic_contact_mother_id'))
        batch_op.drop_index(batch_op.f('ix_analytic_contact_contact_month_contact_type'))

    op.drop_table('analytic_contact')
    with op.batch_alter_table('analytic_birth', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytic_birth_mother_id'))
        batch_op.drop_index(batch_op.f('ix_analytic_birth_imd_quintile_birth_month'))
        batch_op.drop_index(batch_op.f('ix_analytic_birth_ethnic_group_birth_month'))
        batch_op.drop_index(batch_op.f('ix_analytic_birth_birth_month'))

    op.drop_table('analytic_birth')
