"""The payer adjudication simulator of the synthetic world.

``adjudicate(world, claims)`` answers canonical claims the way a payer would, judged against
the world's own tables (never against the labels, so a claim whose defect was fixed is paid):

1. **Front end** (277CA rejection, no 835): missing required fields, diagnosis pointers that
   point nowhere, NPIs failing the check digit, replacement/void without a valid original
   reference, an unknown payer, a member ID not in the payer's format.
2. **Claim edits** (CLP status 4, every line adjusted): no coverage under that ID (CARC 31) or
   the member is covered elsewhere only (109), coverage ended (27) or not started (26), another
   payer primary (OA-22 MA04), patient name (140) or birth date/sex (31) not as enrolled,
   duplicate of an earlier claim of the batch or the payer's history (OA-18), timely filing per
   payer (29), a diagnosis not billable in the world's code set (146 M76), and the payer's
   hidden judgement (see :mod:`cleanclaim.synth.payer`).
3. **Line edits** (that line denied, the rest paid): unknown or deleted code (181 M51), units
   above the code's limit (151), age (6) and sex (7) conflicts, plan exclusion (PR-96 N130),
   prior authorization missing (197), denied (39), for another code/date/member (15) or used up
   (198), PTP pair without its modifier (97), no pointed diagnosis supporting the code (50),
   per-visit benefit limit (119).
4. **Pricing** of what is left: the payer's fee schedule gives the allowed amount (CO-45 for
   the difference, PI-45 out of network), then the plan's copay (PR-3), deductible (PR-1,
   accumulated per member and year in submission order) and coinsurance (PR-2).

Every payment balances, per claim and per line: charge minus adjustments equals paid. Work is
vectorized with Polars: 100,000 claims take a few seconds. :class:`PayerSimulator` keeps the
payer's memory between calls (claims seen, for duplicates; control numbers, for replacements
and voids; deductibles met) and decides appeals (:class:`AppealPolicy`).

The steps live in :mod:`cleanclaim.synth.adjudication` (front end, edits, pricing, remittance,
appeals); this module holds :class:`PayerSimulator`, which runs them, and re-exports the names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from cleanclaim.domain import Claim, DenialCase, DenialCategory
from cleanclaim.domain.schema import Batch, batch_from_records

from .adjudication.appeals import AppealDecision, AppealPolicy, AppealsMixin, _stable_uniform
from .adjudication.edits import EditsMixin
from .adjudication.front_end import FrontEndMixin
from .adjudication.pricing import PricingMixin, _plan_terms
from .adjudication.remittance import _EMPTY_CLAIMS, _EMPTY_LINES, RemittanceMixin, _assemble
from .adjudication.results import Acknowledgment, Adjudication
from .edits import edits_frame
from .payer import PayerContext, claim_signatures

if TYPE_CHECKING:
    from .world import World

__all__ = [
    "Acknowledgment",
    "Adjudication",
    "AppealDecision",
    "AppealPolicy",
    "PayerSimulator",
    "adjudicate",
]


ClaimsInput = Batch | Sequence[Claim]


class PayerSimulator(FrontEndMixin, EditsMixin, PricingMixin, RemittanceMixin, AppealsMixin):
    """A payer with a memory: adjudicates submissions, replacements, voids and appeals.

    State kept between calls: signatures of claims adjudicated (duplicate edit), the payer
    claim control number of every adjudicated claim with its priced lines (replacements, voids
    and appeals refer to it), and deductible met per member and year.
    """

    def __init__(
        self,
        world: World | PayerContext,
        *,
        appeal_policy: AppealPolicy | None = None,
    ) -> None:
        self.ctx = world if isinstance(world, PayerContext) else PayerContext.from_world(world)
        self.appeal_policy = appeal_policy or AppealPolicy()
        self.history: set[str] = set()
        self.deductible_met: dict[tuple[str, int], int] = {}
        self._claims = _EMPTY_CLAIMS
        self._lines = _EMPTY_LINES
        self._counter = 0
        self._traces = 0
        self._appeals: dict[str, int] = {}
        self._dead: set[str] = set()  # control numbers replaced, voided or overturned
        self._indexed = False
        self._by_pcn: dict[str, dict[str, Any]] = {}
        self._lines_by_payment: dict[str, list[dict[str, Any]]] = {}
        self._latest: dict[str, str] = {}
        self._extra_claims: list[dict[str, Any]] = []
        self._extra_lines: list[dict[str, Any]] = []
        self._edits = edits_frame()
        self._plans = _plan_terms(self.ctx)

    # ------------------------------------------------------------ public

    def adjudicate(self, claims: ClaimsInput, *, as_of: dt.date | None = None) -> Adjudication:
        """Adjudicate a submission; frequency 7/8 claims replace or void earlier ones."""
        frames = _frames(claims)
        c, lines, dx = frames["claims"], frames["claim_lines"], frames["claim_diagnoses"]
        fixed = as_of is not None
        if as_of is None:
            last = c["submitted_on"].max() if c.height else None
            as_of = last if isinstance(last, dt.date) else dt.date.today()
        return self._run(c, lines, dx, as_of, fixed)

    def resubmit(self, corrected: ClaimsInput, *, as_of: dt.date | None = None) -> Adjudication:
        """Adjudicate corrected claims (frequency 7, replacing the claim named by
        ``original_claim_ref``) and voids (8, answered by a CLP status 22 reversal)."""
        return self.adjudicate(corrected, as_of=as_of)

    def appeal(self, case: DenialCase | str, *, filed_on: dt.date | None = None) -> AppealDecision:
        """Decide an appeal of a denied claim (a :class:`DenialCase` or a claim id).

        The decision is a seeded draw against :class:`AppealPolicy` (the same case and attempt
        always decide alike); an overturned appeal reverses the original payment and pays the
        denied lines at the fee schedule.
        """
        claim_id = case if isinstance(case, str) else case.claim_id
        self._index()
        pcn = self._latest.get(claim_id)
        if pcn is None:
            raise KeyError(f"no adjudicated claim {claim_id!r} to appeal")
        row = self._by_pcn[pcn]
        category = str(row["category"] or DenialCategory.OTHER.value)
        if not row["denied_any"]:
            return AppealDecision(claim_id, pcn, category, False, 0.0, "nothing was denied")
        attempt = self._appeals.get(pcn, 0) + 1
        self._appeals[pcn] = attempt
        p = self.appeal_policy.rate(category, row["product_line"])
        window = int(row["appeal_window_days"] or 180)
        if filed_on is not None and (filed_on - row["payment_date"]).days > window:
            return AppealDecision(claim_id, pcn, category, False, p,
                                  f"filed after the {window}-day appeal window")
        u = _stable_uniform(self.ctx.seed, "appeal", pcn, attempt)
        if u >= p:
            return AppealDecision(claim_id, pcn, category, False, p, "denial upheld")
        payments = self._overturn(row, filed_on or row["payment_date"])
        return AppealDecision(claim_id, pcn, category, True, p, "denial overturned", payments)

    def _index(self) -> None:
        """Python lookups for appeals, built once after each submission (appeals are many and
        small; frame filters would cost a scan each)."""
        if self._indexed:
            return
        self._flush()
        self._by_pcn = {str(r["pcn"]): r for r in self._claims.iter_rows(named=True)}
        self._lines_by_payment = {}
        for r in self._lines.iter_rows(named=True):
            self._lines_by_payment.setdefault(str(r["payment_id"]), []).append(r)
        self._latest = {str(r["claim_id"]): pcn for pcn, r in self._by_pcn.items()
                        if pcn not in self._dead}
        self._indexed = True

    def _flush(self) -> None:
        if self._extra_claims:
            self._claims = pl.concat([self._claims, pl.DataFrame(
                self._extra_claims, schema=_EMPTY_CLAIMS.schema, orient="row")])
            self._lines = pl.concat([self._lines, pl.DataFrame(
                self._extra_lines, schema=_EMPTY_LINES.schema, orient="row")])
            self._extra_claims, self._extra_lines = [], []

    # ------------------------------------------------------------ core

    def _run(self, c: pl.DataFrame, lines: pl.DataFrame, dx: pl.DataFrame,
             as_of: dt.date, fixed_date: bool) -> Adjudication:
        c = c.with_row_index("ix").with_columns(pl.col("ix").cast(pl.Int64))
        self._flush()
        self._indexed = False
        refs = self._claims.filter(pl.col("pcn").is_in(list(self._dead)).not_()).select(
            pl.col("pcn").alias("original_claim_ref"), pl.col("payer_id"),
            pl.col("signature").alias("orig_signature"), pl.col("status").alias("orig_status"))
        c = c.join(refs, on=["original_claim_ref", "payer_id"], how="left")
        sig = claim_signatures(c, lines)
        c = c.join(sig, on="claim_id", how="left")
        lines = lines.join(c.select("claim_id", "ix", "claim_type"), on="claim_id")
        front = self._front_end(c, lines, dx)
        c = c.join(front, on="ix", how="left")
        voids = c.filter(pl.col("reject").is_null(), pl.col("frequency_code") == "8")
        # Replaced and voided claims leave the payer's memory before the new ones are judged.
        gone = c.filter(pl.col("reject").is_null(), pl.col("frequency_code").is_in(["7", "8"]))
        for s in gone["orig_signature"].drop_nulls().to_list():
            self.history.discard(s)
        reversals = self._reversals(gone, as_of)
        accepted = c.filter(pl.col("reject").is_null(), pl.col("frequency_code") != "8")
        claim_level = self._claim_edits(accepted, lines, dx, as_of)
        accepted = accepted.join(claim_level, on="ix", how="left")
        judged = self._line_edits(accepted, lines, dx)
        priced = self._price(accepted, judged)
        new_claims, new_lines = self._register(accepted, priced, as_of, fixed_date)
        remit = _assemble(pl.concat([reversals[0], new_claims], how="diagonal_relaxed"),
                          pl.concat([reversals[1], new_lines], how="diagonal_relaxed"))
        self.history.update(accepted.filter(pl.col("frequency_code") != "8")["signature"]
                            .drop_nulls().to_list())
        outcomes = self._outcomes(c, new_claims, voids)
        acks = self._acks(c)
        return Adjudication(outcomes, new_lines, remit, acks)


def _frames(claims: ClaimsInput) -> dict[str, pl.DataFrame]:
    if isinstance(claims, Batch):
        if claims.model is not Claim:
            raise TypeError(f"expected a batch of claims, got {claims.model.__name__}")
        batch = claims
    else:
        batch = batch_from_records(Claim, list(claims))
    return batch.frames()


def adjudicate(
    world_or_context: World | PayerContext | PayerSimulator,
    claims: ClaimsInput,
    *,
    as_of: dt.date | None = None,
) -> Adjudication:
    """Adjudicate ``claims`` (a canonical claims batch or Claim records) against a world.

    ``world_or_context`` is a :class:`~cleanclaim.synth.World`, a :class:`PayerContext` (e.g.
    ``PayerContext.from_dir``) or a :class:`PayerSimulator` whose memory (history, control
    numbers, deductibles) carries on. ``as_of`` forces one payment date for the whole
    submission and stands in for a missing ``submitted_on`` in timely filing; without it each
    claim is paid in the weekly run (Friday) at least seven days after its submission.
    """
    sim = world_or_context if isinstance(world_or_context, PayerSimulator) \
        else PayerSimulator(world_or_context)
    return sim.adjudicate(claims, as_of=as_of)
