"""The engine: findings table, decisions, skipped and failing rules, batch = real time =
stream, the reference documentation, and accuracy on a small synthetic world."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanclaim.domain import Claim, ClaimType, DenialCategory, Severity
from cleanclaim.domain.schema import batch_from_records
from cleanclaim.refdata import RefdataStore
from cleanclaim.rules import (
    OUTPUT_COLUMNS,
    Context,
    Registry,
    Rule,
    default_registry,
    scrub,
    scrub_claim,
    scrub_stream,
)
from cleanclaim.rules.api import Check, Example, finding_frame
from cleanclaim.rules.context import ScrubContext, empty_claims
from cleanclaim.rules.docs import render
from cleanclaim.rules.examples import example_claim, example_context
from cleanclaim.rules.library.administrative import npi_is_valid
from cleanclaim.synth import generate_world, is_valid_npi, npi_check_digit

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_documented_rules_are_current() -> None:
    assert DOCS.read_text() == render(), (
        "regenerate: python -m cleanclaim.rules.docs > docs/rules.md")


def test_rule_ids_are_unique_and_metadata_complete() -> None:
    rules = list(default_registry())
    assert len({r.id for r in rules}) == len(rules) >= 30
    for r in rules:
        assert r.title and r.fix and r.source and r.description, r.id


def test_without_context_rules_are_skipped_and_said_so() -> None:
    result = scrub(batch_from_records(Claim, [example_claim()]))
    summary = result.summary()
    assert "elig.coverage_inactive" in summary["rules_skipped"]
    assert "coverages (eligibility periods)" in summary["missing_context"]
    assert summary["claims"] == 1 and summary["clean"] == 1
    assert "adm.npi_invalid" in result.rules_run


def test_a_failing_rule_is_reported_not_raised() -> None:
    def broken(ctx: object) -> pl.LazyFrame:
        raise RuntimeError("boom")

    bad = Rule(id="test.broken", title="t", category=DenialCategory.OTHER,
               severity=Severity.DENY, carc=None, rarc=None, fix="f", source="s",
               check=broken)
    registry = default_registry().extended([bad])
    result = scrub(batch_from_records(Claim, [example_claim()]), example_context(),
                   registry=registry)
    assert "test.broken" in result.errors
    assert result.decisions["decision"].to_list() == ["submit"]


def _every_claim(ctx: ScrubContext) -> pl.LazyFrame:
    return finding_frame(ctx.claims, pl.lit("seen"), "f",
                         extra={"carc": pl.lit("B7"), "repair": pl.lit("x=1")})


def _rule(rule_id: str, check: Check, types: frozenset[ClaimType]) -> Rule:
    return Rule(id=rule_id, title="t", category=DenialCategory.OTHER, severity=Severity.WARN,
                carc="16", rarc="N1", fix="f", source="s", check=check, claim_types=types)


def test_claim_types_limit_where_a_rule_runs_and_what_it_reports() -> None:
    def broken(ctx: object) -> pl.LazyFrame:
        raise RuntimeError("planned although no claim is institutional")

    inst = frozenset({ClaimType.INSTITUTIONAL})
    registry = Registry([_rule("test.inst_broken", broken, inst),
                         _rule("test.inst_all", _every_claim, inst),
                         _rule("test.any_all", _every_claim, frozenset(ClaimType))])
    prof = example_claim()
    only_prof = scrub(batch_from_records(Claim, [prof]), registry=registry)
    # Not planned for a batch without institutional claims, yet counted as run.
    assert not only_prof.errors
    assert set(only_prof.rules_run) == {"test.inst_broken", "test.inst_all", "test.any_all"}
    assert only_prof.findings["rule_id"].to_list() == ["test.any_all"]
    inst_claim = example_claim(Example("inst", True, claim={
        "claim_id": "INST-1", "claim_type": "institutional", "type_of_bill": "0131"}))
    mixed = scrub(batch_from_records(Claim, [prof, inst_claim]), registry=registry)
    assert "test.inst_broken" in mixed.errors
    got = mixed.findings.filter(pl.col("rule_id") == "test.inst_all")
    assert got["claim_id"].to_list() == ["INST-1"]
    # Metadata come from the rule; codes and repairs a check gives override or add.
    row = got.row(0, named=True)
    assert (row["severity"], row["category"], row["carc"], row["rarc"], row["repair"]) == (
        "warn", DenialCategory.OTHER.value, "B7", "N1", "x=1")
    assert mixed.findings.filter(pl.col("rule_id") == "test.any_all").height == 2


def test_findings_table_has_the_finding_columns() -> None:
    result = scrub(batch_from_records(Claim, [example_claim()]), example_context(),
                   registry=Registry())
    assert dict(result.findings.schema) == OUTPUT_COLUMNS
    assert result.decisions.columns == ["claim_id", "decision", "stopping_findings"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 9))
def test_npi_check_digit_matches_reference(base: str, last: int) -> None:
    npi = base + str(last)
    got = pl.select(npi_is_valid(pl.lit(npi))).item()
    assert got == is_valid_npi(npi)
    good = base + str(npi_check_digit(base))
    assert pl.select(npi_is_valid(pl.lit(good))).item()


@pytest.fixture(scope="module")
def world_result() -> tuple[object, object]:
    world = generate_world(3, 3000)
    from bench.scrub_accuracy import context_of

    with tempfile.TemporaryDirectory() as tmp:
        context = context_of(world, RefdataStore(Path(tmp)))
    return world, context


def test_small_world_accuracy(world_result: tuple[object, object]) -> None:
    from bench.scrub_accuracy import evaluate

    world, context = world_result
    assert isinstance(context, Context)
    result = scrub(world.claims, context)  # type: ignore[attr-defined]
    report = evaluate(world, result)  # type: ignore[arg-type]
    assert not result.errors
    assert report["preventable_held"] >= 0.95
    assert report["clean_held"] <= 0.01


def test_holds_agree_with_the_payer_simulator(world_result: tuple[object, object]) -> None:
    from bench.scrub_accuracy import against_payer

    world, context = world_result
    assert isinstance(context, Context)
    result = scrub(world.claims, context)  # type: ignore[attr-defined]
    payer = against_payer(world, result)  # type: ignore[arg-type]
    assert payer["foreseeable_refused"] > 100
    assert payer["foreseeable_held"] >= 0.95
    assert payer["foreseeable_same_carc"] >= 0.9
    assert payer["paid_in_full_held"] <= 0.01
    assert payer["unforeseeable_held"] <= 0.05
    assert 0 < payer["refused_dollars_held"] <= payer["refused_dollars"]


def test_real_time_equals_batch(world_result: tuple[object, object]) -> None:
    from cleanclaim.domain.schema import records_from_batch

    world, context = world_result
    assert isinstance(context, Context)
    claims = [c for c in records_from_batch(world.claims)  # type: ignore[attr-defined]
              if isinstance(c, Claim)][:40]
    # The whole world's batch takes the hash-join path, one claim the sorted-slice path.
    batch = scrub(world.claims, context).records()  # type: ignore[attr-defined]
    for claim in claims:
        one = scrub_claim(claim, context)
        # Duplicates are judged across the batch; everything else claim by claim.
        expected = [f for f in batch if f.claim_id == claim.claim_id
                    and not f.rule_id.startswith("adm.duplicate")]
        assert [f for f in one if not f.rule_id.startswith("adm.duplicate")] == expected


def _keys(frame: pl.DataFrame) -> list[tuple[object, ...]]:
    return sorted(frame.select("claim_id", "rule_id", "line", "severity").iter_rows(),
                  key=repr)


def test_stream_equals_batch_by_batch(world_result: tuple[object, object]) -> None:
    from cleanclaim.domain.schema import records_from_batch

    world, context = world_result
    assert isinstance(context, Context)
    claims = [c for c in records_from_batch(world.claims)  # type: ignore[attr-defined]
              if isinstance(c, Claim)][:500]
    # One small batch (indexed party rows, no optimizer), one large (hash joins).
    batches = [batch_from_records(Claim, claims[:120]), batch_from_records(Claim, claims[120:])]
    streamed = list(scrub_stream(iter(batches), context, carry=0))
    assert len(streamed) == 2
    for batch, result in zip(batches, streamed, strict=True):
        alone = scrub(batch, context)
        assert _keys(result.findings) == _keys(alone.findings)
        assert result.decisions.equals(alone.decisions)
        assert result.decisions.height == len(batch)


def test_context_rows_where_keeps_order_and_whole_when_unindexable() -> None:
    frame = pl.DataFrame({"k": ["b", "a", "b", None], "v": [1, 2, 3, 4]})
    context = Context(members=frame)
    got = context.rows_where("members", {"k": {"b", "x"}})
    assert got is not None and got["v"].to_list() == [1, 3]
    assert context.rows_where("members", {"k": set()}) is not None
    whole = context.rows_where("members", {"missing": {"b"}})
    assert whole is not None and whole.height == 4
    assert context.rows_where("coverages", {"k": {"b"}}) is None


def test_context_dicts_where_gives_the_rows_of_rows_where() -> None:
    frame = pl.DataFrame({"k": ["b", "a", "b", None], "v": [1, 2, 3, 4],
                          "d": [dt.date(2025, 1, i) for i in range(1, 5)],
                          "l": [["25"], [], None, ["59", "XU"]]})
    context = Context(members=frame)
    for wanted in ({"k": {"b", "x"}}, {"k": {"a"}, "v": {4}}, {"k": set()}, {"missing": {"b"}}):
        rows = context.rows_where("members", wanted)
        assert rows is not None
        assert context.dicts_where("members", wanted) == rows.to_dicts()
    assert context.dicts_where("coverages", {"k": {"b"}}) is None


def _duplicate_split_across_batches(world: object, context: Context
                                    ) -> tuple[list[object], str, str]:
    """Two batches: the second ends with an exact copy of a clean claim of the first."""
    from cleanclaim.domain.schema import records_from_batch

    claims = [c for c in records_from_batch(world.claims)  # type: ignore[attr-defined]
              if isinstance(c, Claim)][:300]
    first, second = claims[:150], claims[150:]
    held = set(scrub(batch_from_records(Claim, first), context).findings["claim_id"])
    original = next(c for c in first if c.claim_id not in held)
    again = original.model_copy(update={"claim_id": f"{original.claim_id}-AGAIN"})
    batches = [batch_from_records(Claim, first), batch_from_records(Claim, [*second, again])]
    return batches, original.claim_id, again.claim_id


def test_stream_catches_a_duplicate_split_across_batches(
        world_result: tuple[object, object]) -> None:
    world, context = world_result
    assert isinstance(context, Context)
    batches, original, again = _duplicate_split_across_batches(world, context)
    carried = list(scrub_stream(iter(batches), context))
    dup = carried[1].findings.filter(pl.col("claim_id") == again,
                                     pl.col("rule_id") == "adm.duplicate_claim")
    assert dup.height == 1
    assert dup["message"][0] == f"repeats claim {original}"
    hold = carried[1].decisions.filter(pl.col("claim_id") == again)["decision"][0]
    assert hold == "hold"
    # Without the carry-over each batch stands alone and the copy passes as new.
    alone = list(scrub_stream(iter(batches), context, carry=0))
    assert again not in set(alone[1].findings.filter(
        pl.col("rule_id") == "adm.duplicate_claim")["claim_id"])
    # The carry only adds findings: everything a lone batch finds is still found.
    assert set(_keys(alone[1].findings)) <= set(_keys(carried[1].findings))
    assert _keys(carried[0].findings) == _keys(alone[0].findings)


def test_stream_carry_is_bounded(world_result: tuple[object, object]) -> None:
    world, context = world_result
    assert isinstance(context, Context)
    batches, _, again = _duplicate_split_across_batches(world, context)
    # With a batch in between, the original is two batches back: beyond a carry of one,
    # within a carry of two.
    spaced = [batches[0], empty_claims(), batches[1]]

    def dups(carry: int) -> set[str]:
        last = list(scrub_stream(iter(spaced), context, carry=carry))[-1]
        return set(last.findings.filter(pl.col("rule_id") == "adm.duplicate_claim")["claim_id"])

    assert again not in dups(1)
    assert again in dups(2)
    with pytest.raises(ValueError, match="carry"):
        next(scrub_stream(iter(spaced), context, carry=-1))
