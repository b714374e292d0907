"""The rule API: how a scrubbing rule is declared, what it reads and what it returns.

A rule is declared once, with its metadata (:class:`Rule`), and registered with
:func:`~cleanclaim.rules.registry.register`. Its check is a vectorized function over a
:class:`~cleanclaim.rules.context.ScrubContext` returning a LazyFrame of findings with the
columns ``claim_id``, ``line`` (null for the claim), ``message`` and ``fix`` (optionally ``carc``
and ``rarc`` overriding the declared codes). The engine adds the rule's id, severity, category
and codes, so a check only says *where* and *why*.

Each rule carries examples (:class:`Example`): a failing and a passing claim, written as changes
to the shared example claim of :mod:`cleanclaim.rules.examples`. They run as tests and render
into ``docs/rules.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from ..domain import ClaimType, DenialCategory, Severity

if TYPE_CHECKING:
    from .context import ScrubContext
    from .single import Single

__all__ = [
    "FINDING_COLUMNS",
    "NEEDS",
    "Check",
    "Example",
    "Rule",
    "empty_findings",
    "finding_frame",
]

Check = Callable[["ScrubContext"], pl.LazyFrame]
"""A vectorized check: the context in, findings (claim_id, line, message, fix) out."""

FINDING_COLUMNS: dict[str, pl.DataType] = {
    "claim_id": pl.String(),
    "line": pl.Int64(),
    "message": pl.String(),
    "fix": pl.String(),
}
"""Columns a check returns; ``carc`` and ``rarc`` (strings) may be added to override."""

NEEDS: dict[str, str] = {
    "members": "members (enrolment demographics)",
    "coverages": "coverages (eligibility periods)",
    "plans": "plans (exclusions, prior-auth lists)",
    "plan_limits": "plan benefit limits",
    "payers": "payers (filing limits, member-ID formats)",
    "providers": "providers (network status)",
    "authorizations": "prior authorizations",
    "history": "claim history",
    "icd10cm": "ICD-10-CM code set",
    "procedures": "procedure code sets (HCPCS, CPT)",
    "ptp": "NCCI PTP edits",
    "mue": "MUE values",
    "restrictions": "procedure age/sex restrictions",
    "dx_restrictions": "ICD-10-CM age/sex edits",
    "dx_support": "coverage-policy table (diagnoses supporting procedures)",
    "addon": "add-on code edits",
}
"""Context a rule may need; a rule whose needs are missing is skipped, and said so."""


@dataclass(frozen=True, slots=True)
class Example:
    """An example claim for a rule: changes to the shared example claim, and what to expect.

    ``claim`` overrides header fields; ``lines`` replaces the service lines (each dict is
    merged over the example line); ``diagnoses`` replaces the diagnosis codes. ``fails`` says
    whether the rule must find something on it (on ``line`` when given).
    """

    title: str
    fails: bool
    claim: Mapping[str, Any] = field(default_factory=dict)
    lines: tuple[Mapping[str, Any], ...] | None = None
    diagnoses: tuple[str, ...] | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """A scrubbing rule: metadata plus its vectorized check.

    ``source`` names where the edit comes from (a CMS table, the payer's policy, an X12 guide);
    ``needs`` lists the context it reads (keys of :data:`NEEDS`); ``claim_types`` limits it to
    professional or institutional claims. ``single`` is its one-claim kernel (see
    :mod:`cleanclaim.rules.single`): the same check on one claim without a Polars plan; a rule
    without one scrubs a real-time claim through its plan.
    """

    id: str
    title: str
    category: DenialCategory
    severity: Severity
    carc: str | None
    rarc: str | None
    fix: str
    source: str
    check: Check
    needs: frozenset[str] = frozenset()
    claim_types: frozenset[ClaimType] = frozenset(ClaimType)
    examples: tuple[Example, ...] = ()
    description: str = ""
    pack: str | None = None
    pack_version: str | None = None
    single: Single | None = None

    def __post_init__(self) -> None:
        unknown = set(self.needs) - set(NEEDS)
        if unknown:
            raise ValueError(f"rule {self.id}: unknown needs {sorted(unknown)}")
        if "." not in self.id:
            raise ValueError(f"rule {self.id}: id must be family.name")


def empty_findings() -> pl.LazyFrame:
    """A findings frame with no rows."""
    return pl.LazyFrame(schema=FINDING_COLUMNS)


def finding_frame(
    frame: pl.LazyFrame,
    message: pl.Expr,
    fix: pl.Expr | str,
    *,
    line: pl.Expr | None = None,
    extra: Mapping[str, pl.Expr] | None = None,
) -> pl.LazyFrame:
    """Shape rows that failed a check into findings (``frame`` must have ``claim_id``)."""
    cols = [
        pl.col("claim_id").cast(pl.String),
        (line if line is not None else pl.lit(None)).cast(pl.Int64).alias("line"),
        message.cast(pl.String).alias("message"),
        (pl.lit(fix) if isinstance(fix, str) else fix).cast(pl.String).alias("fix"),
    ]
    cols += [e.alias(k) for k, e in (extra or {}).items()]
    return frame.select(cols)
