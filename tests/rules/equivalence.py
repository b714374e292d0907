"""The check every one-claim test makes: a claim's findings by the rules' kernels are exactly
those of the same rules' plans on a one-claim batch, and neither errs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cleanclaim.domain import Claim
from cleanclaim.rules import Context, Registry, scrub_one


def kernel_findings(claim: Claim, context: Context, only: Iterable[str],
                    registry: Registry | None = None) -> list[dict[str, Any]]:
    """The findings of rules ``only`` on ``claim`` by their kernels, after asserting that their
    plans find the same, row for row, and that neither path errs."""
    rules = list(only)
    by_kernel = scrub_one(claim, context, registry=registry, only=rules)
    by_plan = scrub_one(claim, context, registry=registry, only=rules, plans=True)
    assert not by_kernel.errors and not by_plan.errors, (by_kernel.errors, by_plan.errors)
    rows = by_kernel.findings.to_dicts()
    assert rows == by_plan.findings.to_dicts(), f"claim {claim.claim_id}"
    return rows
