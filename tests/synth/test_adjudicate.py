"""The payer simulator: answers match the world's truth, payments balance, later outcomes work.

Tolerances (documented in docs/synth.md): every labelled defect must get its expected answer on
at least 97% of its claims (in practice all of them), with one documented exception: a member ID
that does not even match the payer's format is rejected at the front end (277CA, CARC-equivalent
31) instead of denied with 31.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from cleanclaim.domain import (
    Claim,
    ClaimPayment,
    ClaimStatus,
    DenialCase,
    DenialCategory,
    FrequencyCode,
    GroupCode,
    Member,
)
from cleanclaim.domain.schema import records_from_batch
from cleanclaim.standards.x12 import (
    balance_problems,
    format_277,
    format_835,
    parse_payments,
    parse_statuses,
    validate,
)
from cleanclaim.synth import DefectRates, World, generate_world, npi_check_digit
from cleanclaim.synth.adjudicate import (
    Adjudication,
    AppealPolicy,
    PayerSimulator,
    adjudicate,
)
from cleanclaim.synth.defects import DEFECTS

_PREVENTABLE = {d.name for d in DEFECTS if d.preventable}
_HIDDEN = {d.name for d in DEFECTS if not d.preventable}
_REJECTED = {d.name for d in DEFECTS if d.severity.value == "reject"}


@pytest.fixture(scope="module")
def small_result(small_world: World) -> Adjudication:
    return adjudicate(small_world, small_world.claims)


def _joined(world: World, result: Adjudication) -> pl.DataFrame:
    labels = pl.from_arrow(world.labels)
    assert isinstance(labels, pl.DataFrame)
    return result.outcomes.join(
        labels.select("claim_id", "defect", pl.col("carc").alias("label_carc"),
                      pl.col("line").alias("label_line"), "detail"),
        on="claim_id",
    )


def _claims(world: World) -> dict[str, Claim]:
    return {c.claim_id: c for c in records_from_batch(world.claims) if isinstance(c, Claim)}


def test_every_preventable_defect_gets_its_expected_answer(
    small_world: World, small_result: Adjudication
) -> None:
    j = _joined(small_world, small_result)
    format_rejects = (pl.col("defect") == "unknown_member_id") & pl.col("detail").str.contains(
        "truncated")
    expected_outcome = pl.when(pl.col("defect").is_in(list(_REJECTED)) | format_rejects) \
        .then(pl.lit("rejected")).otherwise(pl.lit("denied_or_partial"))
    j = j.filter(pl.col("defect").is_in(list(_PREVENTABLE))).with_columns(
        expected_outcome.alias("expected"),
        (pl.col("carc") == pl.col("label_carc")).alias("carc_ok"),
    ).with_columns(
        pl.when(pl.col("expected") == "rejected").then(pl.col("outcome") == "rejected")
        .otherwise(pl.col("outcome").is_in(["denied", "partial"])).alias("outcome_ok"),
    )
    per = j.group_by("defect").agg(pl.len(), pl.col("carc_ok").mean(), pl.col("outcome_ok").mean())
    assert set(per["defect"]) == _PREVENTABLE
    for defect, n, carc_ok, outcome_ok in per.iter_rows():
        assert carc_ok >= 0.97 and outcome_ok >= 0.97, (defect, n, carc_ok, outcome_ok)
    # Line-level defects are answered on the labelled line (a benefit limit may cut another).
    line_level = {d.name for d in DEFECTS if d.line_level} - {"benefit_limit_exceeded"}
    lines = j.filter(pl.col("defect").is_in(list(line_level)))
    assert (lines["line"] == lines["label_line"]).mean() >= 0.97  # type: ignore[operator]


def test_payer_hidden_judgement_is_denied(small_world: World, small_result: Adjudication) -> None:
    j = _joined(small_world, small_result).filter(pl.col("defect").is_in(list(_HIDDEN)))
    assert j.height > 20
    assert (j["outcome"] == "denied").all()
    assert (j["carc"] == j["label_carc"]).all()


def test_clean_claims_are_paid(small_world: World, small_result: Adjudication) -> None:
    j = _joined(small_world, small_result).filter(pl.col("defect") == "clean")
    assert j.height > 5000
    assert (j["outcome"] == "paid").all()
    assert (j["status"] == "1").all()
    assert j["paid_cents"].sum() > 0


def test_every_payment_balances_and_round_trips_through_the_835(
    small_result: Adjudication,
) -> None:
    payments = small_result.payments()
    assert payments
    assert payments == records_from_batch(small_result.remittances)  # the validated form
    for p in payments:
        assert not balance_problems(p), p.payment_id
        assert p.status in (ClaimStatus.PRIMARY, ClaimStatus.DENIED)
        pr = sum((a.amount for ln in p.lines for a in ln.adjustments
                  if a.group_code is GroupCode.PATIENT_RESPONSIBILITY), Decimal(0))
        assert p.patient_responsibility == pr
        if p.status is ClaimStatus.DENIED:
            assert p.paid == 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "remit.835"
        path.write_text(format_835(payments), encoding="ascii")
        assert validate(path) == []
        assert list(parse_payments(path)) == payments


def test_cost_sharing_and_contractual_adjustments(small_result: Adjudication) -> None:
    groups: Counter[tuple[str, str]] = Counter()
    for p in small_result.payments():
        for ln in p.lines:
            for a in ln.adjustments:
                groups[(a.group_code.value, a.carc)] += 1
                assert a.amount > 0
    for key in (("CO", "45"), ("PR", "1"), ("PR", "2"), ("PR", "3"), ("OA", "18"),
                ("OA", "22"), ("PR", "96")):
        assert groups[key] > 0, key


def test_default_world_denial_rate_and_mix(mix_world: World) -> None:
    summary = adjudicate(mix_world, mix_world.claims).summary()
    assert summary["claims"] == 20_000
    assert abs(summary["denial_rate"] - 0.12) <= 0.01
    cats = summary["categories"]
    assert abs(cats.get("eligibility", 0) + cats.get("cob", 0) - 0.25) <= 0.04
    assert abs(cats.get("missing_information", 0) - 0.15) <= 0.03
    assert abs(cats.get("authorization", 0) - 0.12) <= 0.03
    assert abs(cats.get("medical_necessity", 0) - 0.06) <= 0.02
    assert summary["rejected"] > 0 and summary["partly_paid"] > 0 and summary["denied"] > 0


def _fixed(claim: Claim, world: World, defect: str) -> Claim:
    """The claim as a careful biller would correct it."""
    if defect == "units_above_mue":
        limits = dict(zip(world.reference["ref_procedures"]["code"].to_pylist(),
                          world.reference["ref_procedures"]["max_units"].to_pylist(), strict=True))
        lines = [ln.model_copy(update={"units": min(ln.units, Decimal(limits.get(
            ln.procedure_code or "", 99)))}) for ln in claim.lines]
        return claim.model_copy(update={"lines": lines})
    if defect == "ncci_unbundled":
        pairs = world.reference["ref_ptp_edits"].to_pylist()
        codes = {ln.procedure_code for ln in claim.lines}
        fix = {p["column2"]: p["modifier"] for p in pairs if p["column1"] in codes}
        lines = [ln.model_copy(update={"modifiers": [*ln.modifiers, fix[ln.procedure_code]]})
                 if ln.procedure_code in fix and fix[ln.procedure_code] not in ln.modifiers
                 else ln for ln in claim.lines]
        return claim.model_copy(update={"lines": lines})
    if defect == "demographic_mismatch":
        members = {m.member_id: m for m in records_from_batch(world.members)
                   if isinstance(m, Member)}
        coverages = world.coverages.tables["coverages"].to_pylist()
        person = next(c["member_id"] for c in coverages if c["subscriber_id"] == claim.member_id
                      and c["payer_id"] == claim.payer_id)
        m = members[person]
        return claim.model_copy(update={"patient_last_name": m.last_name,
                                        "patient_first_name": m.first_name,
                                        "patient_birth_date": m.birth_date,
                                        "patient_sex": m.sex})
    assert defect == "invalid_npi"
    npi = claim.billing_npi if not _valid(claim.billing_npi) else claim.rendering_npi or ""
    good = npi[:9] + str(npi_check_digit(npi[:9]))
    field = "billing_npi" if npi == claim.billing_npi else "rendering_npi"
    return claim.model_copy(update={field: good})


def _valid(npi: str) -> bool:
    return npi[-1] == str(npi_check_digit(npi[:9]))


def _replacement(claim: Claim, pcn: str, suffix: str, frequency: FrequencyCode) -> Claim:
    bill = claim.type_of_bill[:-1] + frequency.value if claim.type_of_bill else None
    return claim.model_copy(update={"claim_id": claim.claim_id + suffix,
                                    "frequency_code": frequency, "original_claim_ref": pcn,
                                    "type_of_bill": bill})


def test_fixed_claims_are_paid_on_resubmission(small_world: World) -> None:
    sim = PayerSimulator(small_world)
    j = _joined(small_world, sim.adjudicate(small_world.claims))
    claims = _claims(small_world)
    corrected: list[Claim] = []
    originals: list[Claim] = []
    for defect in ("units_above_mue", "ncci_unbundled", "demographic_mismatch"):
        rows = j.filter(pl.col("defect") == defect).head(8)
        assert rows.height > 0
        for claim_id, pcn in rows.select("claim_id", "pcn").iter_rows():
            fixed = _fixed(claims[claim_id], small_world, defect)
            corrected.append(_replacement(fixed, pcn, "R", FrequencyCode.REPLACEMENT))
    # A rejected claim never reached adjudication: it is simply sent again, fixed.
    for claim_id in j.filter(pl.col("defect") == "invalid_npi").head(8)["claim_id"]:
        fixed = _fixed(claims[claim_id], small_world, "invalid_npi")
        originals.append(fixed.model_copy(update={"claim_id": claim_id + "N"}))
    result = sim.resubmit(corrected + originals)
    assert (result.outcomes["outcome"] == "paid").all(), result.outcomes.filter(
        pl.col("outcome") != "paid")
    statuses = Counter(p.status for p in result.payments())
    # Partly paid originals are reversed (CLP 22) before the replacement is paid.
    assert statuses[ClaimStatus.PRIMARY] == len(corrected) + len(originals)
    assert statuses[ClaimStatus.REVERSAL] >= 1
    for p in result.payments():
        assert not balance_problems(p)


def test_voids_reverse_and_unchanged_resubmissions_are_duplicates(small_world: World) -> None:
    sim = PayerSimulator(small_world)
    first = sim.adjudicate(small_world.claims)
    paid = first.outcomes.filter(pl.col("outcome") == "paid").head(5)
    claims = _claims(small_world)
    voids = [_replacement(claims[cid], pcn, "V", FrequencyCode.VOID)
             for cid, pcn in paid.select("claim_id", "pcn").iter_rows()]
    result = sim.resubmit(voids)
    assert (result.outcomes["outcome"] == "voided").all()
    reversals = result.payments()
    originals = {p.claim_id: p for p in first.payments()}
    assert len(reversals) == len(voids)
    for r in reversals:
        o = originals[r.claim_id]
        assert r.status is ClaimStatus.REVERSAL
        assert r.paid == -o.paid and r.total_charge == -o.total_charge
        assert not balance_problems(r)
    # Voided claims left the payer's memory; other claims sent again are duplicates.
    again = [claims[cid] for cid in paid["claim_id"]]
    dupes = [claims[cid] for cid in first.outcomes.filter(
        pl.col("outcome") == "paid")["claim_id"][5:10]]
    second = sim.adjudicate(again + dupes)
    reasons = dict(second.outcomes.select("claim_id", "reason").iter_rows())
    assert all(reasons[c.claim_id] is None for c in again)
    assert all(reasons[c.claim_id] == "duplicate_claim" for c in dupes)
    # A void naming a claim the payer never issued is rejected at the front end.
    bogus = _replacement(claims[paid["claim_id"][0]], "NOPE0000000001", "X", FrequencyCode.VOID)
    assert sim.resubmit([bogus]).outcomes["reason"][0] == "unknown_original_claim"


def test_rejections_are_acknowledged(small_result: Adjudication) -> None:
    rejected = small_result.rejections()
    assert rejected
    assert all(not a.accepted and a.category_code in ("A3", "A7") for a in rejected)
    assert {a.reason for a in rejected} >= {"missing_required_field", "invalid_npi",
                                            "invalid_diagnosis_pointer",
                                            "frequency_code_misuse"}
    accepted = [a for a in small_result.acknowledgments() if a.accepted]
    assert all(a.category_code == "A2" for a in accepted)
    assert len(accepted) + len(rejected) == small_result.outcomes.height


def test_appeal_overturn_rates_match_their_settings() -> None:
    world = generate_world(7, 12_000, rates=DefectRates(denial_rate=0.5))
    sim = PayerSimulator(world)
    result = sim.adjudicate(world.claims)
    denied = result.outcomes.filter(pl.col("outcome").is_in(["denied", "partial"]))
    assert denied.height > 4000
    decisions = [sim.appeal(c) for c in denied["claim_id"]]
    overall = sum(d.overturned for d in decisions) / len(decisions)
    expected = sum(d.probability for d in decisions) / len(decisions)
    assert abs(overall - expected) <= 0.03
    assert 0.54 <= overall <= 0.70  # DOMAIN.md: 54-70% of pursued denials eventually paid
    for d in decisions:
        assert d.overturned == bool(d.payments)
        for p in d.payments:
            assert not balance_problems(p)
        if d.payments:
            assert d.payments[-1].status is ClaimStatus.PRIMARY and d.payments[-1].paid >= 0


def test_medicare_advantage_prior_auth_appeals_are_mostly_overturned() -> None:
    only_auth = {d.name: float(d.category is DenialCategory.AUTHORIZATION) for d in DEFECTS}
    world = generate_world(8, 8000, rates=DefectRates(denial_rate=0.5, weights=only_auth))
    sim = PayerSimulator(world)
    result = sim.adjudicate(world.claims)
    denied = result.outcomes.filter(pl.col("category") == "authorization")
    setting = AppealPolicy().medicare_advantage_prior_auth
    decisions = [d for d in (sim.appeal(c) for c in denied["claim_id"])
                 if d.probability == setting]
    assert len(decisions) > 400
    assert abs(sum(d.overturned for d in decisions) / len(decisions) - setting) <= 0.05


def test_appeal_decisions_are_deterministic_and_respect_the_window(small_world: World) -> None:
    a, b = PayerSimulator(small_world), PayerSimulator(small_world)
    ra, rb = a.adjudicate(small_world.claims), b.adjudicate(small_world.claims)
    ids = ra.outcomes.filter(pl.col("outcome") == "denied")["claim_id"].head(40).to_list()
    assert [a.appeal(c).overturned for c in ids] == [b.appeal(c).overturned for c in ids]
    row = rb.outcomes.filter(pl.col("outcome") == "denied").row(60, named=True)
    case = DenialCase(case_id="C1", claim_id=row["claim_id"], payer_id=row["payer_id"],
                      category=DenialCategory(row["category"]), denied_amount=Decimal("1"),
                      opened_on=dt.date(2025, 1, 1))
    late = b.appeal(case, filed_on=dt.date(2030, 1, 1))
    assert not late.overturned and "window" in late.reason
    paid = rb.outcomes.filter(pl.col("outcome") == "paid")["claim_id"][0]
    assert b.appeal(paid).reason == "nothing was denied"
    with pytest.raises(KeyError):
        b.appeal("NO-SUCH-CLAIM")


def test_claim_records_are_accepted_as_input(small_world: World) -> None:
    claims = list(_claims(small_world).values())[:300]
    result = adjudicate(small_world, claims)
    assert result.outcomes.height == 300
    assert all(isinstance(p, ClaimPayment) for p in result.payments())


def test_acknowledgments_as_277ca_records(small_result: Adjudication) -> None:
    from cleanclaim.synth.submission import status_reports

    reports = status_reports(small_result)
    assert len(reports) == small_result.outcomes.height
    rejected = [r for r in reports if r.rejected]
    assert len(rejected) == len(small_result.rejections())
    assert all(r.statuses[0].action_code == "U" for r in rejected)
    text = format_277(reports)
    assert [r.claim_id for r in parse_statuses(io.StringIO(text))] == [r.claim_id for r in reports]
