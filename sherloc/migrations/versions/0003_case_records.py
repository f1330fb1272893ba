"""case records: a SHERLOC-style case per decision record, its texts, attachments, defendants, victims, charges

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:00:00.000000

Controlled values (verdicts, sentence kinds ...) are CHECK constraints written out here rather than imported
from sherloc.models.cases, so this migration keeps building the schema it built when the lists change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.String(length=255), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('unodc_number', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('court_name', sa.Text(), nullable=True),
    sa.Column('court_level', sa.String(length=32), nullable=True),
    sa.Column('court_location', sa.Text(), nullable=True),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('case_number', sa.String(length=255), nullable=True),
    sa.Column('citation', sa.Text(), nullable=True),
    sa.Column('legal_system', sa.String(length=32), nullable=True),
    sa.Column('proceeding_type', sa.String(length=32), nullable=True),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('involved_countries', sa.JSON(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('provenance', sa.JSON(), nullable=False),
    sa.CheckConstraint("court_level IS NULL OR court_level IN ('first_instance', 'appellate', 'supreme', 'other')", name=op.f('ck_cases_court_level')),
    sa.CheckConstraint("legal_system IS NULL OR legal_system IN ('civil_law', 'common_law', 'islamic_law', 'customary_law', 'mixed', 'other')", name=op.f('ck_cases_legal_system')),
    sa.CheckConstraint("proceeding_type IS NULL OR proceeding_type IN ('criminal', 'civil', 'administrative', 'constitutional', 'extradition', 'mutual_legal_assistance', 'asset_recovery', 'other')", name=op.f('ck_cases_proceeding_type')),
    sa.CheckConstraint('serial > 0', name=op.f('ck_cases_serial_positive')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_cases_record_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('country', 'serial', name='uq_cases_country_serial'),
    sa.UniqueConstraint('record_id', name=op.f('uq_cases_record_id')),
    sa.UniqueConstraint('unodc_number', name=op.f('uq_cases_unodc_number'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_country'), ['country'], unique=False)

    op.create_table('case_attachments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('uri', sa.String(length=2048), nullable=False),
    sa.Column('media_type', sa.String(length=128), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('provenance', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IS NULL OR kind IN ('judgment', 'other')", name=op.f('ck_case_attachments_kind')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_attachments_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_attachments'))
    )
    with op.batch_alter_table('case_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_attachments_case_id'), ['case_id'], unique=False)

    op.create_table('case_defendants',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('person_type', sa.String(length=16), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('anonymised', sa.Boolean(), nullable=False),
    sa.Column('gender', sa.String(length=16), nullable=True),
    sa.Column('age_at_offence', sa.Integer(), nullable=True),
    sa.Column('nationality', sa.String(length=2), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=True),
    sa.Column('provenance', sa.JSON(), nullable=False),
    sa.CheckConstraint("gender IS NULL OR gender IN ('female', 'male', 'other')", name=op.f('ck_case_defendants_gender')),
    sa.CheckConstraint("person_type IS NULL OR person_type IN ('natural', 'legal')", name=op.f('ck_case_defendants_person_type')),
    sa.CheckConstraint("role IS NULL OR role IN ('principal', 'accessory', 'organizer', 'leader', 'member', 'facilitator', 'other')", name=op.f('ck_case_defendants_role')),
    sa.CheckConstraint('age_at_offence IS NULL OR age_at_offence >= 0', name=op.f('ck_case_defendants_age_at_offence')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_defendants_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_defendants'))
    )
    with op.batch_alter_table('case_defendants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_defendants_case_id'), ['case_id'], unique=False)

    op.create_table('case_texts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('provenance', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IS NULL OR kind IN ('facts', 'commentary', 'procedural_history')", name=op.f('ck_case_texts_kind')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_texts_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_texts')),
    sa.UniqueConstraint('case_id', 'kind', 'language', name='uq_case_texts_case_kind_language')
    )
    with op.batch_alter_table('case_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_texts_case_id'), ['case_id'], unique=False)

    op.create_table('case_victims',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('initials', sa.String(length=12), nullable=True),
    sa.Column('gender', sa.String(length=16), nullable=True),
    sa.Column('age', sa.Integer(), nullable=True),
    sa.Column('minor', sa.Boolean(), nullable=True),
    sa.Column('nationality', sa.String(length=2), nullable=True),
    sa.Column('provenance', sa.JSON(), nullable=False),
    sa.CheckConstraint("gender IS NULL OR gender IN ('female', 'male', 'other')", name=op.f('ck_case_victims_gender')),
    sa.CheckConstraint('age IS NULL OR age >= 0', name=op.f('ck_case_victims_age')),
    sa.CheckConstraint('initials IS NULL OR (length(initials) <= 12 AND initials = upper(initials))', name=op.f('ck_case_victims_initials')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_victims_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_victims'))
    )
    with op.batch_alter_table('case_victims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_victims_case_id'), ['case_id'], unique=False)

    op.create_table('case_charges',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('defendant_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('charge', sa.Text(), nullable=False),
    sa.Column('provision_id', sa.String(length=255), nullable=True),
    sa.Column('provision_text', sa.Text(), nullable=True),
    sa.Column('verdict', sa.String(length=16), nullable=True),
    sa.Column('sentence_kind', sa.String(length=32), nullable=True),
    sa.Column('term_months', sa.Integer(), nullable=True),
    sa.Column('suspended', sa.Boolean(), nullable=True),
    sa.Column('probation_months', sa.Integer(), nullable=True),
    sa.Column('fine_amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('fine_currency', sa.String(length=3), nullable=True),
    sa.Column('other_measures', sa.JSON(), nullable=True),
    sa.Column('appeal_outcome', sa.String(length=16), nullable=True),
    sa.Column('provenance', sa.JSON(), nullable=False),
    sa.CheckConstraint("appeal_outcome IS NULL OR appeal_outcome IN ('upheld', 'reversed', 'modified', 'remanded', 'pending', 'withdrawn', 'other')", name=op.f('ck_case_charges_appeal_outcome')),
    sa.CheckConstraint("sentence_kind IS NULL OR sentence_kind IN ('imprisonment', 'criminal_detention', 'public_surveillance', 'life_imprisonment', 'death', 'death_with_reprieve', 'fine_only', 'community_service', 'other')", name=op.f('ck_case_charges_sentence_kind')),
    sa.CheckConstraint("verdict IS NULL OR verdict IN ('convicted', 'acquitted', 'dismissed', 'other')", name=op.f('ck_case_charges_verdict')),
    sa.CheckConstraint('fine_amount IS NULL OR (fine_amount >= 0 AND fine_currency IS NOT NULL)', name=op.f('ck_case_charges_fine_currency')),
    sa.CheckConstraint('probation_months IS NULL OR probation_months >= 0', name=op.f('ck_case_charges_probation_months')),
    sa.CheckConstraint('term_months IS NULL OR term_months >= 0', name=op.f('ck_case_charges_term_months')),
    sa.ForeignKeyConstraint(['defendant_id'], ['case_defendants.id'], name=op.f('fk_case_charges_defendant_id_case_defendants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provision_id'], ['records.id'], name=op.f('fk_case_charges_provision_id_records'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_charges'))
    )
    with op.batch_alter_table('case_charges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_charges_defendant_id'), ['defendant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_charges_provision_id'), ['provision_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('case_charges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_charges_provision_id'))
        batch_op.drop_index(batch_op.f('ix_case_charges_defendant_id'))

    op.drop_table('case_charges')
    with op.batch_alter_table('case_victims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_victims_case_id'))

    op.drop_table('case_victims')
    with op.batch_alter_table('case_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_texts_case_id'))

    op.drop_table('case_texts')
    with op.batch_alter_table('case_defendants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_defendants_case_id'))

    op.drop_table('case_defendants')
    with op.batch_alter_table('case_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_attachments_case_id'))

    op.drop_table('case_attachments')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_country'))

    op.drop_table('cases')
