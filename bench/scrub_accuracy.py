"""Precision and recall of the scrubbing rules against a synthetic world's injected defects.

``python -m bench scrub_accuracy [--claims N] [--seed S] [--json]``

The world labels every claim clean or with the one defect injected into it. Each defect maps to
the rule(s) meant to catch it (:data:`EXPECTED`). Printed:

- per defect: recall (share of its claims on which an expected rule fired) and the share held
  at all (any reject/deny finding);
- per rule: precision (share of the claims it fired on whose label is a defect it is meant
  for) and how often it fired on clean claims;
- the share of preventable injected defects held (goal >= 95%) and of clean claims held
  (goal <= 1%);
- against the payer's answers rather than the labels: the world's payer simulator (its own
  implementation of the payer's edits, which never reads the labels) adjudicates the same
  claims, and the scrub's holds are compared with what it refused (rejected, denied, or a line
  denied) and paid: per refusal reason, the share the scrub held and the share where a held
  finding named the payer's CARC; the share of fully paid claims held; and the refused
  dollars (charge minus paid) on the claims the scrub held.

ICD-10-CM is the bundled FY2026 set; the world's services are in calendar 2025, mostly before
FY2026, so the set is applied to every date here (the engine itself would report those dates as
"cannot check"). Procedure codes, MUE, PTP pairs, age/sex restrictions and the coverage policy
are the world's own ``ref_*`` tables.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from cleanclaim.refdata import RefdataStore
from cleanclaim.rules import Context, Reference, ScrubResult, scrub
from cleanclaim.synth import DEFECTS, World, generate_world
from cleanclaim.synth.adjudicate import adjudicate

__all__ = ["EXPECTED", "against_payer", "context_of", "evaluate", "main", "reference_of"]

EXPECTED: dict[str, tuple[str, ...]] = {
    "coverage_terminated": ("elig.coverage_inactive",),
    "coverage_not_started": ("elig.coverage_not_started",),
    "unknown_member_id": ("elig.member_unknown", "adm.member_id_format"),
    "demographic_mismatch": ("elig.patient_name_mismatch", "elig.patient_demographics_mismatch"),
    "wrong_payer": ("elig.wrong_payer",),
    "other_payer_primary": ("elig.other_payer_primary",),
    "missing_required_field": ("adm.required_fields",),
    "invalid_npi": ("adm.npi_invalid",),
    "invalid_diagnosis_pointer": ("code.dx_pointer_invalid",),
    "frequency_code_misuse": ("adm.frequency_code",),
    "missing_prior_auth": ("auth.missing",),
    "expired_auth": ("auth.expired",),
    "auth_wrong_code": ("auth.wrong_service",),
    "auth_denied": ("auth.not_approved",),
    "auth_units_exhausted": ("auth.units_exhausted",),
    "dx_not_supporting": ("code.dx_not_supporting",),
    "invalid_icd": ("code.icd_invalid",),
    "non_billable_icd": ("code.icd_not_billable",),
    "deleted_procedure": ("code.procedure_invalid",),
    "units_above_mue": ("code.mue_exceeded",),
    "age_conflict": ("code.age_conflict",),
    "sex_conflict": ("code.sex_conflict",),
    "ncci_unbundled": ("code.ptp_unbundled",),
    "excluded_service": ("cov.service_excluded",),
    "benefit_limit_exceeded": ("cov.benefit_limit_exceeded",),
    "duplicate_claim": ("adm.duplicate_claim", "adm.duplicate_suspected"),
    "late_filing": ("adm.timely_filing",),
}
"""Defect of ``docs/synth.md`` -> rules meant to catch it."""


def reference_of(store: RefdataStore, tables: Mapping[str, pa.Table]) -> Reference:
    """Bundled ICD-10-CM (undated) plus a world's code tables (``World.reference``)."""
    icd = store.icd10cm().select("code", "billable").unique(subset="code").with_columns(
        pl.lit(None, pl.Date).alias("valid_from"), pl.lit(None, pl.Date).alias("valid_before"))
    return Reference(icd10cm=icd).merged(Reference.from_tables(tables))


def context_of(world: World, store: RefdataStore) -> Context:
    """The world's parties plus reference: bundled ICD-10-CM (undated), the world's tables."""
    reference = reference_of(store, world.reference)
    batches = {k: v for k, v in world.batches().items() if k != "claims"}
    return Context.from_batches(batches, reference=reference)


def evaluate(world: World, result: ScrubResult) -> dict[str, Any]:
    """Recall per defect, precision per rule, and the headline shares."""
    labels = pl.from_arrow(world.labels)
    assert isinstance(labels, pl.DataFrame)
    labels = labels.unique(subset="claim_id", keep="first")
    defect = dict(zip(labels["claim_id"].to_list(), labels["defect"].to_list(), strict=True))
    preventable = dict(zip(labels["claim_id"].to_list(), labels["preventable"].to_list(),
                           strict=True))
    fired: dict[str, set[str]] = defaultdict(set)
    for cid, rid in result.findings.select("claim_id", "rule_id").iter_rows():
        fired[cid].add(rid)
    held = set(result.decisions.filter(pl.col("decision") == "hold")["claim_id"].to_list())

    per_defect: dict[str, dict[str, Any]] = {}
    totals: Counter[str] = Counter(defect.values())
    for name, n in sorted(totals.items()):
        ids = [c for c, d in defect.items() if d == name]
        expected = set(EXPECTED.get(name, ()))
        caught = sum(1 for c in ids if fired[c] & expected)
        per_defect[name] = {
            "claims": n,
            "recall": caught / n if expected else None,
            "held": sum(1 for c in ids if c in held) / n,
        }
    rule_claims: dict[str, list[str]] = defaultdict(list)
    for cid, rules in fired.items():
        for rid in rules:
            rule_claims[rid].append(cid)
    meant: dict[str, set[str]] = defaultdict(set)
    for name, expected_rules in EXPECTED.items():
        for rid in expected_rules:
            meant[rid].add(name)
    per_rule = {
        rid: {"claims": len(ids),
              "precision": sum(1 for c in ids if defect.get(c) in meant[rid]) / len(ids),
              "on_clean": sum(1 for c in ids if defect.get(c) == "clean")}
        for rid, ids in sorted(rule_claims.items())
    }
    prev = [c for c, d in defect.items() if d != "clean" and preventable[c]]
    clean = [c for c, d in defect.items() if d == "clean"]
    unprev = [c for c, d in defect.items() if d != "clean" and not preventable[c]]
    return {
        "claims": len(defect),
        "preventable_defects": len(prev),
        "preventable_held": sum(1 for c in prev if c in held) / max(len(prev), 1),
        "preventable_caught_by_expected_rule": sum(
            1 for c in prev if fired[c] & set(EXPECTED.get(defect[c], ()))) / max(len(prev), 1),
        "clean_claims": len(clean),
        "clean_held": sum(1 for c in clean if c in held) / max(len(clean), 1),
        "clean_with_any_finding": sum(1 for c in clean if fired[c]) / max(len(clean), 1),
        "unpreventable_held": sum(1 for c in unprev if c in held) / max(len(unprev), 1),
        "per_defect": per_defect,
        "per_rule": per_rule,
        "skipped": result.skipped,
        "errors": result.errors,
        "scrub_seconds": result.seconds,
    }


_REFUSED = ("rejected", "denied", "partial")
_STOPPING = ("reject", "deny")
_UNFORESEEABLE = frozenset(d.name for d in DEFECTS if not d.preventable)
"""Refusal reasons of the payer's own judgement (a reviewer, a policy change), which no edit
known before submission predicts."""


def against_payer(world: World, result: ScrubResult) -> dict[str, Any]:
    """The scrub's holds against the payer simulator's answers to the same claims."""
    answers = adjudicate(world, world.claims).outcomes.filter(pl.col("outcome") != "voided")
    stopping = result.findings.filter(pl.col("severity").is_in(_STOPPING)).group_by(
        "claim_id").agg(pl.col("carc").unique().alias("_carcs"))
    joined = answers.join(stopping, on="claim_id", how="left").with_columns(
        pl.col("_carcs").is_not_null().alias("held"),
        pl.col("outcome").is_in(_REFUSED).alias("refused"),
        pl.col("reason").is_in(list(_UNFORESEEABLE)).fill_null(False).alias("unforeseeable"),
        (pl.col("charge_cents") - pl.col("paid_cents")).alias("_refused_cents"))
    joined = joined.with_columns(
        (pl.col("held") & pl.col("_carcs").list.contains(pl.col("carc")).fill_null(False))
        .alias("same_carc"))

    def share(frame: pl.DataFrame, column: str) -> float | None:
        return None if frame.height == 0 else int(frame[column].sum()) / frame.height

    refused = joined.filter(pl.col("refused"))
    foreseeable = refused.filter(~pl.col("unforeseeable"))
    held = joined.filter(pl.col("held"))
    per_reason = refused.group_by("reason", "carc").agg(
        pl.len().alias("claims"), pl.col("held").mean(), pl.col("same_carc").mean(),
        pl.col("unforeseeable").first()).sort("claims", "reason", descending=[True, False])
    return {
        "claims": joined.height,
        "refused": refused.height,
        "foreseeable_refused": foreseeable.height,
        "foreseeable_held": share(foreseeable, "held"),
        "foreseeable_same_carc": share(foreseeable, "same_carc"),
        "unforeseeable_held": share(refused.filter(pl.col("unforeseeable")), "held"),
        "paid_in_full_held": share(joined.filter(~pl.col("refused")), "held"),
        "held_refused": share(held, "refused"),
        "refused_dollars": refused["_refused_cents"].sum() / 100,
        "refused_dollars_held": refused.filter(pl.col("held"))["_refused_cents"].sum() / 100,
        "per_reason": per_reason.to_dicts(),
    }


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def render(report: dict[str, Any]) -> str:
    lines = [
        f"## scrub_accuracy, {report['claims']:,} claims",
        "",
        f"preventable defects held: {_pct(report['preventable_held'])} "
        f"(by the expected rule: {_pct(report['preventable_caught_by_expected_rule'])}; "
        "goal >= 95%)",
        f"clean claims held: {_pct(report['clean_held'])} (goal <= 1%); with any finding "
        f"incl. warnings: {_pct(report['clean_with_any_finding'])}",
        f"unpreventable denials held: {_pct(report['unpreventable_held'])}",
        f"scrub time: {report['scrub_seconds']:.2f} s",
        "",
        "| defect | claims | recall (expected rule) | held |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, d in report["per_defect"].items():
        lines.append(f"| {name} | {d['claims']:,} | {_pct(d['recall'])} | {_pct(d['held'])} |")
    lines += ["", "| rule | claims | precision | on clean claims |", "| --- | ---: | ---: | ---: |"]
    for rid, r in report["per_rule"].items():
        lines.append(f"| {rid} | {r['claims']:,} | {_pct(r['precision'])} | {r['on_clean']} |")
    payer = report.get("against_payer")
    if payer is not None:
        lines += _payer_lines(payer)
    if report["skipped"]:
        lines.append(f"\nskipped: {report['skipped']}")
    if report["errors"]:
        lines.append(f"\nerrors: {report['errors']}")
    return "\n".join(lines)


def _payer_lines(payer: dict[str, Any]) -> list[str]:
    dollars = payer["refused_dollars"]
    lines = [
        "", f"### Against the payer simulator's answers ({payer['claims']:,} claims, "
        f"{payer['refused']:,} refused)", "",
        f"- refused by the payer's edits: {payer['foreseeable_refused']:,}, held by the scrub "
        f"{_pct(payer['foreseeable_held'])}, with the payer's CARC among the held findings "
        f"{_pct(payer['foreseeable_same_carc'])}",
        f"- refused on the payer's own judgement (reviewer, policy change): held "
        f"{_pct(payer['unforeseeable_held'])}",
        f"- paid in full, yet held: {_pct(payer['paid_in_full_held'])}",
        f"- held claims the payer refused: {_pct(payer['held_refused'])}",
        f"- refused dollars (charge minus paid) on held claims: "
        f"${payer['refused_dollars_held']:,.2f} of ${dollars:,.2f} "
        f"({_pct(payer['refused_dollars_held'] / dollars if dollars else None)})",
        "", "| payer's reason | CARC | claims | held | payer's CARC among held findings |",
        "| --- | --- | ---: | ---: | ---: |"]
    for r in payer["per_reason"]:
        judged = " (judgement)" if r["unforeseeable"] else ""
        lines.append(f"| {r['reason']}{judged} | {r['carc']} | {r['claims']:,} | "
                     f"{_pct(r['held'])} | {_pct(r['same_carc'])} |")
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scrub_accuracy")
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    world = generate_world(args.seed, args.claims)
    with tempfile.TemporaryDirectory() as tmp:
        store = RefdataStore(Path(tmp))
        context = context_of(world, store)
        result = scrub(world.claims, context)
    report = evaluate(world, result)
    report["against_payer"] = against_payer(world, result)
    report["total_seconds"] = time.perf_counter() - start
    print(json.dumps(report, indent=2, default=str) if args.json else render(report))
    return 0
