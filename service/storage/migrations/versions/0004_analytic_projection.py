"""analytic projection: linkage identities, reference tables, reconciled analytic rows

The analytic tables hold derived data only: they are emptied here and refilled by
`perinatal projection rebuild` (which also fills `fhir_resource.compartment` for resources
written before this revision).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.storage.types import JsonDocument, UtcDateTime

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute('DELETE FROM analytic_birth')
    op.execute('DELETE FROM analytic_contact')
    op.create_table('analytic_referral',
    sa.Column('referral_id', sa.String(length=64), nullable=False),
    sa.Column('family_key', sa.String(length=96), nullable=False),
    sa.Column('source_system', sa.String(length=32), nullable=False),
    sa.Column('referral_date', sa.Date(), nullable=True),
    sa.Column('referral_month', sa.Date(), nullable=True),
    sa.Column('referral_source', sa.String(length=16), nullable=True),
    sa.Column('ethnic_group', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('imd_quintile', sa.Integer(), nullable=True),
    sa.Column('deprivation_status', sa.String(length=24), nullable=False),
    sa.Column('age_band', sa.String(length=8), nullable=True),
    sa.PrimaryKeyConstraint('referral_id', name=op.f('pk_analytic_referral'))
    )
    with op.batch_alter_table('analytic_referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytic_referral_family_key'), ['family_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_analytic_referral_referral_month'), ['referral_month'], unique=False)

    op.create_table('data_quality_issue',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('family_key', sa.String(length=96), nullable=False),
    sa.Column('baby_id', sa.String(length=64), nullable=True),
    sa.Column('rule', sa.String(length=48), nullable=False),
    sa.Column('field', sa.String(length=48), nullable=False),
    sa.Column('source_a', sa.String(length=32), nullable=True),
    sa.Column('value_a', sa.String(length=64), nullable=True),
    sa.Column('source_b', sa.String(length=32), nullable=True),
    sa.Column('value_b', sa.String(length=64), nullable=True),
    sa.Column('chosen_source', sa.String(length=32), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_quality_issue'))
    )
    with op.batch_alter_table('data_quality_issue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_quality_issue_family_key'), ['family_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_quality_issue_rule'), ['rule'], unique=False)

    op.create_table('lsoa_deprivation',
    sa.Column('lsoa_code', sa.String(length=9), nullable=False),
    sa.Column('imd_decile', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('lsoa_code', name=op.f('pk_lsoa_deprivation'))
    )
    op.create_table('patient_identity',
    sa.Column('patient_id', sa.String(length=64), nullable=False),
    sa.Column('source_system', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('person_key', sa.String(length=96), nullable=False),
    sa.Column('family_key', sa.String(length=96), nullable=False),
    sa.PrimaryKeyConstraint('patient_id', name=op.f('pk_patient_identity'))
    )
    with op.batch_alter_table('patient_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_identity_family_key'), ['family_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_identity_person_key'), ['person_key'], unique=False)

    op.create_table('postcode_lsoa',
    sa.Column('postcode', sa.String(length=8), nullable=False),
    sa.Column('lsoa_code', sa.String(length=9), nullable=False),
    sa.PrimaryKeyConstraint('postcode', name=op.f('pk_postcode_lsoa'))
    )
    op.create_table('projection_queue',
    sa.Column('patient_id', sa.String(length=64), nullable=False),
    sa.Column('queued_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('patient_id', name=op.f('pk_projection_queue'))
    )
    op.create_table('projection_family_queue',
    sa.Column('family_key', sa.String(length=96), nullable=False),
    sa.PrimaryKeyConstraint('family_key', name=op.f('pk_projection_family_queue'))
    )
    op.create_table('reference_table',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('file_name', sa.String(length=512), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('loaded_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_reference_table'))
    )
    with op.batch_alter_table('analytic_birth', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family_key', sa.String(length=96), nullable=False))
        batch_op.add_column(sa.Column('sources', sa.String(length=64), nullable=False))
        batch_op.add_column(sa.Column('deprivation_status', sa.String(length=24), nullable=False))
        batch_op.add_column(sa.Column('deprivation_version', sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column('field_sources', JsonDocument, nullable=False))
        batch_op.alter_column('mother_id',
               existing_type=sa.VARCHAR(length=64),
               nullable=True)
        batch_op.alter_column('delivery_id',
               existing_type=sa.VARCHAR(length=64),
               nullable=True)
        batch_op.alter_column('ethnic_group',
               existing_type=sa.VARCHAR(length=16),
               nullable=False)
        batch_op.alter_column('pmh_referral',
               existing_type=sa.BOOLEAN(),
               nullable=False)
        batch_op.drop_index(batch_op.f('ix_analytic_birth_mother_id'))
        batch_op.create_index(batch_op.f('ix_analytic_birth_family_key'), ['family_key'], unique=False)
        batch_op.drop_column('updated_at')
        batch_op.drop_column('postcode')

    with op.batch_alter_table('analytic_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family_key', sa.String(length=96), nullable=False))
        batch_op.add_column(sa.Column('ethnic_group', sa.String(length=16), nullable=False))
        batch_op.add_column(sa.Column('imd_quintile', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deprivation_status', sa.String(length=24), nullable=False))
        batch_op.alter_column('contact_type',
               existing_type=sa.VARCHAR(length=32),
               nullable=True)
        batch_op.alter_column('pmh_referral',
               existing_type=sa.BOOLEAN(),
               nullable=False)
        batch_op.drop_index(batch_op.f('ix_analytic_contact_mother_id'))
        batch_op.create_index(batch_op.f('ix_analytic_contact_family_key'), ['family_key'], unique=False)
        batch_op.drop_column('mother_id')
        batch_op.drop_column('updated_at')

    with op.batch_alter_table('fhir_resource', schema=None) as batch_op:
        batch_op.add_column(sa.Column('compartment', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_fhir_resource_compartment'), ['compartment'], unique=False)



def downgrade() -> None:
    op.execute('DELETE FROM analytic_birth')
    op.execute('DELETE FROM analytic_contact')
    with op.batch_alter_table('fhir_resource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fhir_resource_compartment'))
        batch_op.drop_column('compartment')

    with op.batch_alter_table('analytic_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', UtcDateTime(), nullable=False))
        batch_op.add_column(sa.Column('mother_id', sa.VARCHAR(length=64), nullable=True))
        batch_op.drop_index(batch_op.f('ix_analytic_contact_family_key'))
        batch_op.create_index(batch_op.f('ix_analytic_contact_mother_id'), ['mother_id'], unique=False)
        batch_op.alter_column('pmh_referral',
               existing_type=sa.BOOLEAN(),
               nullable=True)
        batch_op.alter_column('contact_type',
               existing_type=sa.VARCHAR(length=32),
               nullable=False)
        batch_op.drop_column('deprivation_status')
        batch_op.drop_column('imd_quintile')
        batch_op.drop_column('ethnic_group')
        batch_op.drop_column('family_key')

    with op.batch_alter_table('analytic_birth', schema=None) as batch_op:
        batch_op.add_column(sa.Column('postcode', sa.VARCHAR(length=8), nullable=True))
        batch_op.add_column(sa.Column('updated_at', UtcDateTime(), nullable=False))
        batch_op.drop_index(batch_op.f('ix_analytic_birth_family_key'))
        batch_op.create_index(batch_op.f('ix_analytic_birth_mother_id'), ['mother_id'], unique=False)
        batch_op.alter_column('pmh_referral',
               existing_type=sa.BOOLEAN(),
               nullable=True)
        batch_op.alter_column('ethnic_group',
               existing_type=sa.VARCHAR(length=16),
               nullable=True)
        batch_op.alter_column('delivery_id',
               existing_type=sa.VARCHAR(length=64),
               nullable=False)
        batch_op.alter_column('mother_id',
               existing_type=sa.VARCHAR(length=64),
               nullable=False)
        batch_op.drop_column('field_sources')
        batch_op.drop_column('deprivation_version')
        batch_op.drop_column('deprivation_status')
        batch_op.drop_column('sources')
        batch_op.drop_column('family_key')

    op.drop_table('reference_table')
    op.drop_table('projection_queue')
    op.drop_table('projection_family_queue')
    op.drop_table('postcode_lsoa')
    with op.batch_alter_table('patient_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_identity_person_key'))
        batch_op.drop_index(batch_op.f('ix_patient_identity_family_key'))

    op.drop_table('patient_identity')
    op.drop_table('lsoa_deprivation')
    with op.batch_alter_table('data_quality_issue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_quality_issue_rule'))
        batch_op.drop_index(batch_op.f('ix_data_quality_issue_family_key'))

    op.drop_table('data_quality_issue')
    with op.batch_alter_table('analytic_referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytic_referral_referral_month'))
        batch_op.drop_index(batch_op.f('ix_analytic_referral_family_key'))

    op.drop_table('analytic_referral')
