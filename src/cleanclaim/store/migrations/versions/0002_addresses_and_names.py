"""addresses and names on claims and remittances

Adds what the X12 guides require and the records lacked: the billing provider's, patient's
and service facility's addresses and the rendering, referring and facility names on claims
(and the rendering provider's name on service lines); the payer's name, EIN and address, the
payee's name and the patient's name and member ID on remittances. Every column is nullable,
so rows stored before keep their meaning.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_CODE = 50  # domain.base.Code
_TEXT = 200  # domain.base.Text

_COLUMNS: dict[str, tuple[tuple[str, int], ...]] = {
    "claims": (
        ("patient_address_line", _TEXT),
        ("patient_city", _TEXT),
        ("patient_state", _CODE),
        ("patient_postal_code", _CODE),
        ("billing_address_line", _TEXT),
        ("billing_city", _TEXT),
        ("billing_state", _CODE),
        ("billing_postal_code", _CODE),
        ("rendering_name", _TEXT),
        ("rendering_first_name", _TEXT),
        ("referring_name", _TEXT),
        ("referring_first_name", _TEXT),
        ("facility_name", _TEXT),
        ("facility_address_line", _TEXT),
        ("facility_city", _TEXT),
        ("facility_state", _CODE),
        ("facility_postal_code", _CODE),
    ),
    "claim_lines": (
        ("rendering_name", _TEXT),
        ("rendering_first_name", _TEXT),
    ),
    "remittances": (
        ("payer_name", _TEXT),
        ("payer_tax_id", _CODE),
        ("payer_address_line", _TEXT),
        ("payer_city", _TEXT),
        ("payer_state", _CODE),
        ("payer_postal_code", _CODE),
        ("payee_name", _TEXT),
        ("patient_first_name", _TEXT),
        ("patient_last_name", _TEXT),
        ("member_id", _CODE),
    ),
}


def upgrade() -> None:
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, length in columns:
                batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in reversed(columns):
                batch_op.drop_column(name)
