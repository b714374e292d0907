"""scrub runs: the run, its rule set and rule issues, its findings and decisions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 04:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _batch_fk() -> tuple[sa.Column[str], sa.ForeignKeyConstraint]:
    return (
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["ingest_batches.batch_id"]),
    )


def upgrade() -> None:
    op.create_table(
        "scrub_runs",
        sa.Column("run_id", sa.String(length=50), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("library_version", sa.String(length=50), nullable=False),
        sa.Column("rules_run", sa.BigInteger(), nullable=False),
        sa.Column("claims", sa.BigInteger(), nullable=False),
        sa.Column("held", sa.BigInteger(), nullable=False),
        sa.Column("findings", sa.BigInteger(), nullable=False),
        *_batch_fk(),
        sa.PrimaryKeyConstraint("run_id", name="pk_scrub_runs"),
    )
    op.create_index(op.f("ix_scrub_runs_batch_id"), "scrub_runs", ["batch_id"], unique=False)
    op.create_table(
        "scrub_run_packs",
        sa.Column("run_id", sa.String(length=50), nullable=False),
        sa.Column("pack", sa.String(length=50), nullable=False),
        sa.Column("version", sa.String(length=50), nullable=False),
        sa.Column("rules", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["scrub_runs.run_id"], name="fk_scrub_run_packs_scrub_runs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "pack", name="pk_scrub_run_packs"),
    )
    op.create_table(
        "scrub_run_rules",
        sa.Column("run_id", sa.String(length=50), nullable=False),
        sa.Column("rule_id", sa.String(length=50), nullable=False),
        sa.Column("issue", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["scrub_runs.run_id"], name="fk_scrub_run_rules_scrub_runs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "rule_id", name="pk_scrub_run_rules"),
    )
    op.create_table(
        "scrub_findings",
        sa.Column("run_id", sa.String(length=50), nullable=False),
        sa.Column("claim_id", sa.String(length=50), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("rule_id", sa.String(length=50), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("carc", sa.String(length=50), nullable=True),
        sa.Column("rarc", sa.String(length=50), nullable=True),
        sa.Column("line", sa.BigInteger(), nullable=True),
        sa.Column("message", sa.String(length=2000), nullable=False),
        sa.Column("fix", sa.String(length=2000), nullable=False),
        sa.Column("repair", sa.String(length=2000), nullable=True),
        *_batch_fk(),
        sa.PrimaryKeyConstraint("run_id", "claim_id", "seq", name="pk_scrub_findings"),
    )
    op.create_index(
        op.f("ix_scrub_findings_batch_id"), "scrub_findings", ["batch_id"], unique=False
    )
    op.create_table(
        "scrub_decisions",
        sa.Column("run_id", sa.String(length=50), nullable=False),
        sa.Column("claim_id", sa.String(length=50), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("stopping_findings", sa.BigInteger(), nullable=False),
        *_batch_fk(),
        sa.PrimaryKeyConstraint("run_id", "claim_id", name="pk_scrub_decisions"),
    )
    op.create_index(
        op.f("ix_scrub_decisions_batch_id"), "scrub_decisions", ["batch_id"], unique=False
    )
    op.create_index(
        "ix_scrub_decisions_claim_id", "scrub_decisions", ["claim_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_scrub_decisions_claim_id", table_name="scrub_decisions")
    op.drop_index(op.f("ix_scrub_decisions_batch_id"), table_name="scrub_decisions")
    op.drop_table("scrub_decisions")
    op.drop_index(op.f("ix_scrub_findings_batch_id"), table_name="scrub_findings")
    op.drop_table("scrub_findings")
    op.drop_table("scrub_run_rules")
    op.drop_table("scrub_run_packs")
    op.drop_index(op.f("ix_scrub_runs_batch_id"), table_name="scrub_runs")
    op.drop_table("scrub_runs")
