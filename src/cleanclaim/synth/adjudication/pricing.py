"""Pricing and cost sharing: fee schedule allowed amounts, copay, deductible, coinsurance."""

from __future__ import annotations

import polars as pl

from ..payer import COPAY_FAMILIES, FEE_FACTOR, OUT_OF_NETWORK_FACTOR, PayerContext, cost_share
from .state import SimulatorState


class PricingMixin(SimulatorState):
    """Prices the lines left after the edits."""

    def _price(self, a: pl.DataFrame, lp: pl.DataFrame) -> pl.DataFrame:
        ctx = self.ctx
        net = ctx.providers.select(
            "payer_id", pl.col("npi").alias("billing_npi"),
            (pl.col("network_status") == "in_network").alias("in_network"))
        lp = lp.join(net, on=["payer_id", "billing_npi"], how="left").join(
            a.select("ix", pl.col("product_line").alias("line_of_business")), on="ix", how="left")
        lp = lp.join(self._plans, on="plan_id", how="left")
        factor = pl.col("line_of_business").replace_strict(
            FEE_FACTOR, default=FEE_FACTOR["commercial"], return_dtype=pl.Float64)
        oon = pl.col("in_network").fill_null(False).not_()
        factor = factor * pl.when(oon).then(OUT_OF_NETWORK_FACTOR).otherwise(1.0)
        charge = (pl.col("charge").cast(pl.Float64) * 100).round().cast(pl.Int64)
        lp = lp.with_columns(charge.alias("charge_c"), oon.alias("oon"))
        fee = (pl.col("typical_charge") * 100 * pl.col("u") * factor).round().cast(pl.Int64)
        share = (pl.col("charge_c").cast(pl.Float64) * factor).round().cast(pl.Int64)
        allowed = pl.when(pl.col("typical_charge").is_not_null()).then(
            pl.min_horizontal(pl.col("charge_c"), fee)).otherwise(share)
        lp = lp.with_columns(allowed.alias("allowed_c"))
        denied = pl.col("reason").is_not_null()
        fam = pl.col("family")
        copay_kind = pl.when(fam == "office_visit").then(pl.col("office_copay")) \
            .when(fam == "emergency_visit").then(pl.col("emergency_copay")).otherwise(None)
        lp = lp.sort("ix", "line_number").with_columns(
            copay_kind.fill_null(0).cast(pl.Int64).alias("copay_base"),
            (fam.is_in(list(COPAY_FAMILIES)).fill_null(False)).alias("copay_line"),
            (fam == "preventive").fill_null(False).alias("preventive"),
        )
        first_copay = pl.col("copay_line") & (
            pl.col("copay_line").cast(pl.Int32).cum_sum().over("ix") == 1)
        pr3 = pl.when(first_copay).then(
            pl.min_horizontal(pl.col("copay_base") * 100, pl.col("allowed_c"))).otherwise(0)
        lp = lp.with_columns(pr3.fill_null(0).alias("pr3_c"))
        ded_base = (~pl.col("copay_line") & ~pl.col("preventive")).fill_null(True)
        lp = lp.with_columns(
            pl.when(ded_base & ~denied).then(pl.col("allowed_c")).otherwise(0).alias("ded_base"),
            pl.col("dos").dt.year().alias("year"),
        )
        met = pl.DataFrame(
            {"person": [k[0] for k in self.deductible_met],
             "year": [k[1] for k in self.deductible_met],
             "met_before": list(self.deductible_met.values())},
            schema={"person": pl.String, "year": pl.Int32, "met_before": pl.Int64})
        lp = lp.join(met, on=["person", "year"], how="left").sort(
            "person", "year", "dos", "ix", "line_number")
        before = (pl.col("ded_base").cum_sum().over("person", "year") - pl.col("ded_base")
                  + pl.col("met_before").fill_null(0))
        ded_total = pl.col("deductible").fill_null(0) * 100
        pr1 = pl.min_horizontal(pl.col("ded_base"),
                                pl.max_horizontal(ded_total - before, pl.lit(0)))
        lp = lp.with_columns(pl.when(pl.col("person").is_null()).then(0).otherwise(pr1)
                             .cast(pl.Int64).alias("pr1_c"))
        coins = pl.when(ded_base).then(
            ((pl.col("allowed_c") - pl.col("pr1_c")).cast(pl.Float64)
             * pl.col("coinsurance").fill_null(0.0)).round()).otherwise(0.0).cast(pl.Int64)
        lp = lp.with_columns(coins.alias("pr2_c")).sort("ix", "line_number")
        paid = pl.col("allowed_c") - pl.col("pr1_c") - pl.col("pr2_c") - pl.col("pr3_c")
        return lp.with_columns(paid.alias("paid_c"))


def _plan_terms(ctx: PayerContext) -> pl.DataFrame:
    rows = []
    for plan_id, line in ctx.plans.select("plan_id", "product_line").iter_rows():
        cs = cost_share(str(plan_id), str(line))
        rows.append((plan_id, cs.deductible, cs.coinsurance, cs.office_copay,
                     cs.emergency_copay))
    return pl.DataFrame(rows, schema={"plan_id": pl.String, "deductible": pl.Int64,
                                      "coinsurance": pl.Float64, "office_copay": pl.Int64,
                                      "emergency_copay": pl.Int64}, orient="row")


# ---------------------------------------------------------------- 835 assembly
