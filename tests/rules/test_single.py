"""One claim in real time: each rule's kernel finds exactly what its plan finds on that claim.

Every finding column is compared (messages, fixes, codes, suggested repairs), on every rule
example and on synthetic-world claims with injected defects, with and without claim history.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from cleanclaim.domain import Claim
from cleanclaim.domain.schema import records_from_batch
from cleanclaim.refdata import RefdataStore
from cleanclaim.rules import Context, Registry, Rule, default_registry, scrub_one
from cleanclaim.rules.api import Example
from cleanclaim.rules.examples import example_claim, example_context
from cleanclaim.rules.packs import bundled_packs
from cleanclaim.rules.single import Hit, OneClaim, polars_text
from cleanclaim.synth import generate_world

REGISTRY = default_registry().extended(bundled_packs())


def _family(rule: Rule) -> str:
    return "packs" if rule.pack else rule.check.__module__.rsplit(".", 1)[-1]


FAMILIES: dict[str, list[str]] = defaultdict(list)
for _r in REGISTRY:
    FAMILIES[_family(_r)].append(_r.id)


def _rows(claim: Claim, context: Context, only: list[str], plans: bool) -> list[dict[str, Any]]:
    result = scrub_one(claim, context, registry=REGISTRY, only=only, plans=plans)
    assert not result.errors, result.errors
    return result.findings.to_dicts()


def _same(claim: Claim, context: Context, only: list[str]) -> None:
    by_kernel = _rows(claim, context, only, plans=False)
    by_plan = _rows(claim, context, only, plans=True)
    assert by_kernel == by_plan, f"claim {claim.claim_id}"


CASES = [pytest.param(r.id, ex, id=f"{r.id}:{ex.title}") for r in REGISTRY for ex in r.examples]


@pytest.mark.parametrize(("rule_id", "example"), CASES)
def test_kernel_equals_plan_on_the_examples(rule_id: str, example: Example) -> None:
    _same(example_claim(example), example_context(), [rule_id])


def test_every_rule_has_a_kernel() -> None:
    missing = [r.id for r in REGISTRY if r.single is None]
    assert not missing, f"rules without a one-claim kernel: {missing}"


@lru_cache(maxsize=1)
def _world() -> tuple[list[Claim], Context, Context]:
    """Claims of a small synthetic world (defects injected), its context, and the same context
    with the world's first half as claim history (the claims checked are the second half)."""
    world = generate_world(5, 600)
    with tempfile.TemporaryDirectory() as tmp:
        from bench.scrub_accuracy import context_of

        context = context_of(world, RefdataStore(Path(tmp)))
    claims = [c for c in records_from_batch(world.claims) if isinstance(c, Claim)]
    frames = world.claims.frames()
    half = len(claims) // 2
    past = frames["claims"].head(half)
    lines = frames["claim_lines"].join(past.select("claim_id"), on="claim_id", how="semi")
    return claims[half:], context, context.with_history(past, lines)


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("history", [False, True], ids=["no-history", "history"])
def test_kernel_equals_plan_on_a_synthetic_world(family: str, history: bool) -> None:
    claims, context, with_history = _world()
    ctx = with_history if history else context
    for claim in claims[:150]:
        _same(claim, ctx, FAMILIES[family])


def test_whole_suite_one_claim_equals_plans() -> None:
    claims, _, context = _world()
    for claim in claims[150:200]:
        by_kernel = scrub_one(claim, context, registry=REGISTRY)
        by_plan = scrub_one(claim, context, registry=REGISTRY, plans=True)
        assert by_kernel.findings.to_dicts() == by_plan.findings.to_dicts()
        assert by_kernel.decisions.to_dicts() == by_plan.decisions.to_dicts()
        assert by_kernel.rules_run == by_plan.rules_run
        assert by_kernel.skipped == by_plan.skipped


def _rule(rule_id: str, kernel: Any) -> Rule:
    base = default_registry().get("adm.npi_invalid")
    return Rule(id=rule_id, title=base.title, category=base.category, severity=base.severity,
                carc=base.carc, rarc=None, fix=base.fix, source=base.source,
                check=base.check, single=kernel)


def test_a_failing_kernel_is_reported_and_others_still_find() -> None:
    def broken(one: OneClaim) -> list[Hit]:
        raise RuntimeError("boom")

    def always(one: OneClaim) -> list[Hit]:
        return [Hit(1, "b", "fix"), Hit(1, "a", "fix"), Hit(None, "claim", "fix", carc="16")]

    registry = Registry([_rule("test.broken", broken), _rule("test.always", always)])
    result = scrub_one(example_claim(), example_context(), registry=registry)
    assert set(result.errors) == {"test.broken"}
    rows = result.findings.select("rule_id", "line", "message", "carc").rows()
    # One finding per rule and line, messages joined in text order, the claim's first.
    assert rows == [("test.always", None, "claim", "16"), ("test.always", 1, "a; b", "16")]
    assert result.decisions["decision"].to_list() == ["hold"]


def test_a_rule_without_a_kernel_runs_its_plan() -> None:
    plan_only = _rule("test.plan_only", None)
    registry = Registry([plan_only])
    claim = example_claim(Example("bad NPI", True, claim={"billing_npi": "1234567890"}))
    result = scrub_one(claim, example_context(), registry=registry)
    assert result.findings["rule_id"].to_list() == ["test.plan_only"]
    assert result.rules_run == ("test.plan_only",)


def test_polars_text_writes_values_as_polars_formats_them() -> None:
    import datetime as dt
    from decimal import Decimal

    values = [dt.date(2025, 3, 1), Decimal("12.50"), 3.0, 2.5, True, 7, "x"]
    for value in values:
        frame = pl.DataFrame({"v": [value]})
        expected = frame.select(pl.format("{}", "v")).item()
        assert polars_text(value) == expected, value
    assert polars_text(None) is None


def test_reference_rows_of_equal_the_plans_rows() -> None:
    from cleanclaim.rules import Reference

    codes = ["99213", "99213", "A", "É1", None, "20610", "0001F"]
    table = pl.DataFrame({"code": codes, "mue_value": list(range(len(codes))),
                          "adjudication_indicator": [1] * len(codes)}).lazy()
    reference = Reference(mue=table)
    for wanted in (["99213"], ["É1", "A"], ["992130"], ["9921"], [], ["missing", "20610"],
                   [None, "0001F"]):
        expected = reference.sorted_rows("mue", "code", pl.Series(wanted, dtype=pl.String))
        assert reference.rows_of("mue", "code", wanted) == expected.to_dicts(), wanted
