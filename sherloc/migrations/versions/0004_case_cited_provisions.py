"""case records: judges, parties, disposition, provisions cited, each charge's crime types and whose sentence it is

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('case_cited_provisions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('provision_id', sa.String(length=255), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('provenance', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_cited_provisions_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provision_id'], ['records.id'], name=op.f('fk_case_cited_provisions_provision_id_records'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_cited_provisions'))
    )
    with op.batch_alter_table('case_cited_provisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_cited_provisions_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_cited_provisions_provision_id'), ['provision_id'], unique=False)

    with op.batch_alter_table('case_charges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sentence_source', sa.String(length=16), nullable=True))
        # Charges stored before this revision get an empty list, then the next ingest fills them in.
        batch_op.add_column(sa.Column('crime_types', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.create_check_constraint(
            op.f('ck_case_charges_sentence_source'), "sentence_source IS NULL OR sentence_source IN ('decision', 'first_instance')"
        )

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('judges', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('parties', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('disposition', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('extractor_version', sa.String(length=32), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('extractor_version')
        batch_op.drop_column('disposition')
        batch_op.drop_column('parties')
        batch_op.drop_column('judges')

    with op.batch_alter_table('case_charges', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_case_charges_sentence_source'), type_='check')
        batch_op.drop_column('crime_types')
        batch_op.drop_column('sentence_source')

    with op.batch_alter_table('case_cited_provisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_cited_provisions_provision_id'))
        batch_op.drop_index(batch_op.f('ix_case_cited_provisions_case_id'))

    op.drop_table('case_cited_provisions')
