"""Findings of the prevention engine, its stored scrub runs, and denial cases of the
resolution work flow."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints, field_validator

from .base import Code, Money, Record
from .codes import CaseStatus, DenialCategory, Severity

__all__ = [
    "SCRUB_RECORDS",
    "DenialCase",
    "Finding",
    "RuleIssue",
    "RunPack",
    "RunRule",
    "ScrubDecision",
    "ScrubFinding",
    "ScrubOutcome",
    "ScrubRun",
]

_Message = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
_Source = Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class Finding(Record):
    """One problem a rule found on a claim, with what the payer would answer and the fix."""

    __table__: ClassVar[str] = "findings"
    __key__: ClassVar[tuple[str, ...]] = ("claim_id", "rule_id", "line")

    claim_id: Code
    rule_id: Code
    severity: Severity
    category: DenialCategory
    carc: Code | None = None
    rarc: Code | None = None
    line: int | None = Field(default=None, ge=1, description="Service line; None = the claim")
    message: str = Field(min_length=1, max_length=2000)
    fix: str = Field(min_length=1, max_length=2000)


class DenialCase(Record):
    """A denied or partly denied claim being worked to resolution."""

    __table__: ClassVar[str] = "denial_cases"
    __key__: ClassVar[tuple[str, ...]] = ("case_id",)
    __ordered__: ClassVar[tuple[tuple[str, str], ...]] = (("opened_on", "resolved_on"),)

    case_id: Code
    claim_id: Code
    payment_id: Code | None = None
    payer_id: Code
    category: DenialCategory
    carcs: list[Code] = Field(default_factory=list)
    rarcs: list[Code] = Field(default_factory=list)
    denied_amount: Money
    status: CaseStatus = CaseStatus.OPEN
    priority: float | None = Field(default=None, description="Higher is worked first")
    assigned_to: Code | None = None
    opened_on: dt.date
    due_on: dt.date | None = None
    appeal_deadline: dt.date | None = None
    resolved_on: dt.date | None = None
    recovered_amount: Money | None = None


class ScrubOutcome(StrEnum):
    """What a scrub decided for a claim."""

    SUBMIT = "submit"
    HOLD = "hold"


class RuleIssue(StrEnum):
    """Why a rule of the rule set gave no answer in a scrub run."""

    SKIPPED = "skipped"  # the context it needs was not given
    ERRORED = "errored"  # its check failed; the other rules still ran


class RunPack(Record):
    """A payer rule pack in the rule set of a scrub run, with its version."""

    __key__: ClassVar[tuple[str, ...]] = ("pack",)

    pack: Code
    version: Code
    rules: int = Field(ge=0, description="Rules of the pack in the rule set")


class RunRule(Record):
    """A rule that gave no answer in a scrub run: skipped for lack of context, or errored."""

    __key__: ClassVar[tuple[str, ...]] = ("rule_id",)

    rule_id: Code
    issue: RuleIssue
    detail: _Message = Field(description="Context it lacked, or the error it raised")


class ScrubRun(Record):
    """One run of the prevention engine over a set of claims: what ran, on what, with what."""

    __table__: ClassVar[str] = "scrub_runs"
    __key__: ClassVar[tuple[str, ...]] = ("run_id",)
    __children__: ClassVar[dict[str, str]] = {
        "packs": "scrub_run_packs",
        "rule_issues": "scrub_run_rules",
    }
    __ordered__: ClassVar[tuple[tuple[str, str], ...]] = (("started_at", "finished_at"),)

    run_id: Code
    started_at: dt.datetime
    finished_at: dt.datetime
    as_of: dt.date = Field(description="Processing date the rules judged timeliness against")
    sources: list[_Source] = Field(min_length=1, description="Input files scrubbed")
    library_version: Code = Field(description="cleanclaim version (its rule library)")
    rules_run: int = Field(ge=0)
    claims: int = Field(ge=0)
    held: int = Field(ge=0, description="Claims with a finding that stops submission")
    findings: int = Field(ge=0)
    packs: list[RunPack] = Field(default_factory=list)
    rule_issues: list[RunRule] = Field(default_factory=list)

    @field_validator("started_at", "finished_at")
    @classmethod
    def _in_utc(cls, value: dt.datetime) -> dt.datetime:
        # Stored as UTC instants: a naive time is taken as UTC, an aware one converted.
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class ScrubFinding(Record):
    """A finding as stored with its scrub run; ``seq`` numbers the findings of a claim."""

    __table__: ClassVar[str] = "scrub_findings"
    __key__: ClassVar[tuple[str, ...]] = ("run_id", "claim_id", "seq")

    run_id: Code
    claim_id: Code
    seq: int = Field(ge=1, description="Position among the claim's findings in this run")
    rule_id: Code
    severity: Severity
    category: DenialCategory
    carc: Code | None = None
    rarc: Code | None = None
    line: int | None = Field(default=None, ge=1, description="Service line; None = the claim")
    message: _Message
    fix: _Message
    repair: _Message | None = Field(default=None, description="Suggested change, never applied")


class ScrubDecision(Record):
    """The decision a scrub run took for one claim it scrubbed, findings or not."""

    __table__: ClassVar[str] = "scrub_decisions"
    __key__: ClassVar[tuple[str, ...]] = ("run_id", "claim_id")

    run_id: Code
    claim_id: Code
    decision: ScrubOutcome
    stopping_findings: int = Field(ge=0)


SCRUB_RECORDS: tuple[type[Record], ...] = (ScrubRun, ScrubFinding, ScrubDecision)
"""Records of the prevention engine's stored runs (written by a scrub, not loaded as input)."""
