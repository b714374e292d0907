"""Bookkeeping of adjudicated claims (control numbers, traces, reversals, deductibles met),
the outcome rows, and the 835 remittance batch built from priced and denied lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from cleanclaim.domain import Adjustment, ClaimPayment, ClaimStatus, GroupCode, LinePayment
from cleanclaim.domain.schema import Batch

from .. import catalog as cat
from .._arrow import batch as make_batch
from .._arrow import decimals
from .state import SimulatorState

# Claim filing indicator of the 835 (CLP06), whose codes are not the 837's (SBR09 "CI" has no
# 835 twin): by the payer's line of business; commercial and marketplace plans report PPO.
_FILING = {"commercial": "12", "aca_marketplace": "12", "medicare_advantage": "16",
           "medicaid": "MC"}
_CLP06 = ("12", "13", "14", "15", "16", "17", "AM", "CH", "DS", "HM", "LM", "MA", "MB", "MC",
          "OF", "TV", "VA", "WC", "ZZ")
# What a payer's remittance says of the payer itself (1000A): name, EIN and address.
_PAYER_FIELDS = ("payer_name", "payer_tax_id", "payer_address_line", "payer_city",
                 "payer_state", "payer_postal_code")
_PAYER_INFO: dict[str, dict[str, str | None]] = {
    p.payer_id: dict(zip(_PAYER_FIELDS, (p.name, p.tax_id or None,
                                         *(v or None for v in p.remit_address)), strict=True))
    for p in cat.PAYER_PROFILES
}
# The payee (1000B) is the billing provider; the patient (2100 NM1*QC) as billed.
_PARTY_COLS = ["billing_npi", "billing_name", "patient_first_name", "patient_last_name",
               "member_id"]
_MAX_SET = 5000  # claims per 835 transaction set (the writer splits there too)


class RemittanceMixin(SimulatorState):
    """Registers adjudicated claims in the payer's memory and reverses replaced ones."""

    def _register(self, a: pl.DataFrame, lp: pl.DataFrame, as_of: dt.date,
                  fixed_date: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Give control numbers, payment ids and traces; remember claims and priced lines."""
        n = a.height
        base = self._counter
        self._counter += n
        if fixed_date:
            pay_day = pl.lit(as_of)
        else:
            # Weekly check runs: the first Friday at least a week after the claim came in.
            ready = pl.col("submitted_on").fill_null(as_of) + pl.duration(days=7)
            pay_day = ready + pl.duration(days=(5 - ready.dt.weekday().cast(pl.Int64)) % 7)
        a = a.with_columns(pay_day.alias("payment_date"),
                           pl.col("ix").rank("ordinal").cast(pl.Int64).alias("seqno"))
        # One payment (check or EFT, one trace, one 835 transaction set) per payer, payment
        # date and payee, the billing provider.
        run = ["payer_id", "payment_date", "billing_npi"]
        a = a.sort(*run, "ix").with_columns(pl.int_range(pl.len()).over(run).alias("pos"))
        a = a.with_columns((pl.col("pos") // _MAX_SET).alias("chunk"))
        runs = a.select(*run, "chunk").unique(maintain_order=True)
        traces = [f"{day:%Y%m%d}{self._traces + i + 1:07d}"
                  for i, day in enumerate(runs["payment_date"].to_list())]
        self._traces += runs.height
        runs = runs.with_columns(pl.Series("trace", traces, pl.String))
        a = a.join(runs, on=[*run, "chunk"], how="left").sort("ix")
        filing = pl.coalesce(
            pl.col("product_line").replace_strict(_FILING, default=None, return_dtype=pl.String),
            pl.when(pl.col("filing_indicator").is_in(_CLP06)).then("filing_indicator"),
            pl.lit("ZZ"))
        a = a.with_columns(
            pl.format("{}{}", pl.col("payer_id"),
                      (pl.col("seqno") + base).cast(pl.String).str.pad_start(10, "0"))
            .alias("pcn"),
            pl.format("{}-{}", pl.col("trace"), (pl.col("pos") % _MAX_SET + 1).cast(pl.String))
            .alias("payment_id"),
            filing.alias("filing"),
            pl.col("dos").dt.year().alias("year"),
        )
        edits = self._edits.select("reason", "group_code", "carc", "rarc", "category", "stage")
        lines = lp.join(a.select("ix", "payment_id"), on="ix").join(
            edits, on="reason", how="left").with_columns(
            pl.when(pl.col("oon")).then(pl.lit("PI")).otherwise(pl.lit("CO")).alias("reduce"),
        ).sort("ix", "line_number")
        per = lines.group_by("ix").agg(
            pl.col("reason").is_not_null().all().alias("denied_all"),
            pl.col("reason").is_not_null().any().alias("denied_any"),
            pl.col("charge_c").sum().alias("charge_cents"),
            pl.when(pl.col("reason").is_null()).then(pl.col("paid_c")).otherwise(0).sum()
            .alias("paid_cents"),
            pl.when(pl.col("reason").is_null()).then(
                pl.col("pr1_c") + pl.col("pr2_c") + pl.col("pr3_c")).otherwise(
                pl.when(pl.col("group_code") == "PR").then(pl.col("charge_c")).otherwise(0))
            .sum().alias("pr_cents"),
            pl.col("reason").drop_nulls().first().alias("first_reason"),
            pl.col("line_number").filter(pl.col("reason").is_not_null()).first()
            .alias("reason_line"),
        )
        claims = a.join(per, on="ix", how="left").with_columns(
            pl.when(pl.col("denied_all")).then(pl.lit("4")).otherwise(pl.lit("1"))
            .alias("status"),
            pl.coalesce("claim_reason", "first_reason").alias("primary"),
        ).join(edits.select(pl.col("reason").alias("primary"), "category",
                            pl.col("rarc").alias("claim_rarc")), on="primary", how="left")
        claims = claims.with_columns(
            pl.when(pl.col("claim_reason").is_not_null() & pl.col("claim_rarc").is_not_null())
            .then(pl.concat_list(pl.col("claim_rarc"))).otherwise(
                pl.lit([], pl.List(pl.String))).alias("rarcs"),
            pl.lit(1).alias("sign"),
        )
        keep_claims = claims.select(_CLAIM_COLS)
        keep_lines = lines.select(_LINE_COLS)
        self._claims = pl.concat([self._claims, keep_claims], how="diagonal_relaxed")
        self._lines = pl.concat([self._lines, keep_lines], how="diagonal_relaxed")
        # Deductible met carries over to the member's next claims.
        ded = lines.filter(pl.col("reason").is_null(), pl.col("person").is_not_null()).group_by(
            "person", "year").agg(pl.col("pr1_c").sum())
        for person, year, amount in ded.iter_rows():
            if amount:
                k = (str(person), int(year))
                self.deductible_met[k] = self.deductible_met.get(k, 0) + int(amount)
        return keep_claims, keep_lines

    def _reversals(self, gone: pl.DataFrame, as_of: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
        """CLP status 22 reversals of the claims replaced or voided (those that were paid)."""
        pcns = gone["original_claim_ref"].drop_nulls().unique().to_list()
        old = self._claims.filter(pl.col("pcn").is_in(pcns),
                                  pl.col("pcn").is_in(list(self._dead)).not_())
        self._dead.update(str(p) for p in pcns)
        old = old.filter(pl.col("status") == "1")
        if old.height == 0:
            return _EMPTY_CLAIMS, _EMPTY_LINES
        trace = f"{as_of:%Y%m%d}{self._traces + 1:07d}"
        self._traces += 1
        self._give_back_deductible(old["payment_id"])
        old = old.sort("pcn").with_columns(pl.int_range(pl.len()).alias("k"))
        mapping = old.select("payment_id", pl.format("{}-{}", pl.lit(trace),
                                                     (pl.col("k") + 1).cast(pl.String))
                             .alias("new_id"))
        claims = old.join(mapping, on="payment_id").with_columns(
            pl.col("new_id").alias("payment_id"), pl.lit("22").alias("status"),
            pl.lit(-1).alias("sign"), pl.lit(trace).alias("trace"),
            pl.lit(as_of).alias("payment_date")).drop("new_id", "k")
        lines = self._lines.join(mapping, on="payment_id").with_columns(
            pl.col("new_id").alias("payment_id")).drop("new_id")
        return claims.select(_CLAIM_COLS), lines.select(_LINE_COLS)

    def _give_back_deductible(self, payment_ids: pl.Series) -> None:
        """A reversed payment no longer counts toward the member's deductible."""
        pairs = self._lines.filter(pl.col("payment_id").is_in(payment_ids.implode()),
                                   pl.col("reason").is_null()).join(
            self._claims.select("payment_id", "person", "year"), on="payment_id")
        for person, year, amount in pairs.group_by("person", "year").agg(
                pl.col("pr1_c").sum()).iter_rows():
            k = (str(person), int(year))
            if k in self.deductible_met:
                self.deductible_met[k] = max(0, self.deductible_met[k] - int(amount))
    # ------------------------------------------------------------ outcomes

    def _outcomes(self, c: pl.DataFrame, judged: pl.DataFrame,
                  voids: pl.DataFrame) -> pl.DataFrame:
        edits = self._edits.select("reason", "carc", "rarc", "category")
        rejected = c.filter(pl.col("reject").is_not_null()).select(
            "ix", "claim_id", "payer_id", pl.lit(None, pl.String).alias("pcn"),
            pl.lit("rejected").alias("outcome"), pl.lit(None, pl.String).alias("status"),
            pl.col("reject").alias("reason"), pl.col("reject_line").alias("line"),
            (pl.col("total_charge").cast(pl.Float64) * 100).round().cast(pl.Int64)
            .alias("charge_cents"), pl.lit(0, pl.Int64).alias("paid_cents"),
            pl.lit(0, pl.Int64).alias("pr_cents"))
        judged_rows = judged.select(
            "ix", "claim_id", "payer_id", "pcn",
            pl.when(pl.col("status") == "4").then(pl.lit("denied"))
            .when(pl.col("denied_any")).then(pl.lit("partial")).otherwise(pl.lit("paid"))
            .alias("outcome"),
            "status", pl.col("primary").alias("reason"),
            pl.when(pl.col("claim_reason").is_null()).then(pl.col("reason_line"))
            .otherwise(None).cast(pl.Int64).alias("line"),
            "charge_cents", "paid_cents", "pr_cents")
        voided = voids.select(
            "ix", "claim_id", "payer_id", pl.col("original_claim_ref").alias("pcn"),
            pl.lit("voided").alias("outcome"), pl.lit("22").alias("status"),
            pl.lit(None, pl.String).alias("reason"), pl.lit(None, pl.Int64).alias("line"),
            pl.lit(0, pl.Int64).alias("charge_cents"), pl.lit(0, pl.Int64).alias("paid_cents"),
            pl.lit(0, pl.Int64).alias("pr_cents"))
        out = pl.concat([rejected, judged_rows, voided], how="diagonal_relaxed").sort("ix")
        return out.join(edits, on="reason", how="left").select(
            "claim_id", "payer_id", "pcn", "outcome", "status", "reason", "category", "carc",
            "rarc", "line", "charge_cents", "paid_cents", "pr_cents")


_CLAIM_COLS = ["ix", "claim_id", "payer_id", "pcn", "payment_id", "trace", "payment_date",
               "status", "filing", "rarcs", "sign", "signature", "charge_cents",
               "paid_cents", "pr_cents", "denied_any", "denied_all", "claim_reason", "primary",
               "reason_line", "category", "product_line", "appeal_window_days", "person",
               "year", *_PARTY_COLS]
_LINE_COLS = ["ix", "payment_id", "claim_id", "line_number", "procedure_code", "modifiers",
              "revenue_code", "units", "service_from", "charge_c", "allowed_c", "pr1_c", "pr2_c",
              "pr3_c", "paid_c", "reduce", "reason", "group_code", "carc", "rarc"]

_EMPTY_CLAIMS = pl.DataFrame(schema={
    "ix": pl.Int64, "claim_id": pl.String, "payer_id": pl.String, "pcn": pl.String,
    "payment_id": pl.String, "trace": pl.String, "payment_date": pl.Date, "status": pl.String,
    "filing": pl.String, "rarcs": pl.List(pl.String), "sign": pl.Int32,
    "signature": pl.String, "charge_cents": pl.Int64, "paid_cents": pl.Int64,
    "pr_cents": pl.Int64, "denied_any": pl.Boolean, "denied_all": pl.Boolean,
    "claim_reason": pl.String, "primary": pl.String, "reason_line": pl.Int64,
    "category": pl.String, "product_line": pl.String, "appeal_window_days": pl.Int64,
    "person": pl.String, "year": pl.Int32, **dict.fromkeys(_PARTY_COLS, pl.String),
})
_EMPTY_LINES = pl.DataFrame(schema={
    "ix": pl.Int64, "payment_id": pl.String, "claim_id": pl.String, "line_number": pl.Int64,
    "procedure_code": pl.String, "modifiers": pl.List(pl.String), "revenue_code": pl.String,
    "units": pl.Decimal(12, 3), "service_from": pl.Date, "charge_c": pl.Int64,
    "allowed_c": pl.Int64, "pr1_c": pl.Int64, "pr2_c": pl.Int64, "pr3_c": pl.Int64,
    "paid_c": pl.Int64, "reduce": pl.String, "reason": pl.String, "group_code": pl.String,
    "carc": pl.String, "rarc": pl.String,
})


def _assemble(claims: pl.DataFrame, lines: pl.DataFrame) -> Batch:
    """The canonical remittance batch of priced/denied lines; ``sign`` -1 reverses."""
    sign = claims.select("payment_id", "sign")
    lines = lines.join(sign, on="payment_id", how="left").sort("payment_id", "line_number")
    denied = pl.col("reason").is_not_null()
    s = pl.col("sign").cast(pl.Int64)
    adj_parts = [
        lines.filter(denied).select(
            "payment_id", "line_number", pl.lit(1).alias("seq"), "group_code", "carc",
            (pl.col("charge_c") * s).alias("amount")),
        lines.filter(~denied).select(
            "payment_id", "line_number", pl.lit(1).alias("seq"),
            pl.col("reduce").alias("group_code"), pl.lit("45").alias("carc"),
            ((pl.col("charge_c") - pl.col("allowed_c")) * s).alias("amount")),
    ]
    for seq, (col, carc) in enumerate((("pr1_c", "1"), ("pr2_c", "2"), ("pr3_c", "3")), 2):
        adj_parts.append(lines.filter(~denied).select(
            "payment_id", "line_number", pl.lit(seq).alias("seq"),
            pl.lit("PR").alias("group_code"), pl.lit(carc).alias("carc"),
            (pl.col(col) * s).alias("amount")))
    adj = pl.concat(adj_parts).filter(pl.col("amount") != 0).sort(
        "payment_id", "line_number", "seq").with_columns(
        pl.int_range(1, pl.len() + 1).over("payment_id", "line_number").alias("seq"))
    line_paid = pl.when(denied).then(0).otherwise(pl.col("paid_c")) * s
    out_lines = lines.with_columns(line_paid.alias("paid_line"))
    totals = out_lines.group_by("payment_id").agg(
        pl.col("paid_line").sum().alias("paid_sum"),
        (pl.col("charge_c") * s).sum().alias("charge_sum"))
    pr = adj.filter(pl.col("group_code") == "PR").group_by("payment_id").agg(
        pl.col("amount").sum().alias("pr_sum"))
    claims = claims.join(totals, on="payment_id", how="left").join(
        pr, on="payment_id", how="left").with_columns(
        pl.col("payment_id").str.split("-").list.last().cast(pl.Int64).alias("n")
    ).sort("payer_id", "payment_date", "trace", "n")
    claims = claims.with_columns(pl.col("pr_sum").fill_null(0), pl.col("paid_sum").fill_null(0),
                                 pl.col("charge_sum").fill_null(0))
    payers = pl.DataFrame(
        [{"payer_id": k, **v} for k, v in _PAYER_INFO.items()],
        schema={"payer_id": pl.String, **dict.fromkeys(_PAYER_FIELDS, pl.String)})
    claims = claims.join(payers, on="payer_id", how="left", maintain_order="left")
    remits = {
        "payment_id": _arrow(claims["payment_id"]),
        "claim_id": _arrow(claims["claim_id"]),
        "payer_id": _arrow(claims["payer_id"]),
        **{name: _arrow(claims[name]) for name in _PAYER_FIELDS},
        "payer_claim_control_number": _arrow(claims["pcn"]),
        "payee_npi": _arrow(claims["billing_npi"]),
        "payee_name": _arrow(claims["billing_name"]),
        "patient_first_name": _arrow(claims["patient_first_name"]),
        "patient_last_name": _arrow(claims["patient_last_name"]),
        "member_id": _arrow(claims["member_id"]),
        "status": _arrow(claims["status"]),
        "total_charge": decimals(claims["charge_sum"].to_numpy().astype(np.int64), 14, 2),
        "paid": decimals(claims["paid_sum"].to_numpy().astype(np.int64), 14, 2),
        "patient_responsibility": decimals(claims["pr_sum"].to_numpy().astype(np.int64), 14, 2),
        "filing_indicator": _arrow(claims["filing"]),
        "payment_date": _arrow(claims["payment_date"]),
        "trace_number": _arrow(claims["trace"]),
        "rarcs": _arrow(claims["rarcs"]),
    }
    order = claims.select("payment_id").with_row_index("o")
    out_lines = out_lines.join(order, on="payment_id").sort("o", "line_number")
    rl = {
        "payment_id": _arrow(out_lines["payment_id"]),
        "line_number": _arrow(out_lines["line_number"].cast(pl.Int64)),
        "procedure_code": _arrow(out_lines["procedure_code"]),
        "modifiers": _arrow(out_lines["modifiers"]),
        "revenue_code": _arrow(out_lines["revenue_code"]),
        "charge": decimals((out_lines["charge_c"] * out_lines["sign"].cast(pl.Int64))
                           .to_numpy().astype(np.int64), 14, 2),
        "paid": decimals(out_lines["paid_line"].to_numpy().astype(np.int64), 14, 2),
        "units_paid": _arrow(out_lines["units"]),
        "service_date": _arrow(out_lines["service_from"]),
        "rarcs": _arrow(out_lines.select(
            pl.when(pl.col("rarc").is_not_null() & pl.col("reason").is_not_null())
            .then(pl.concat_list("rarc")).otherwise(pl.lit([], pl.List(pl.String)))
            .alias("r"))["r"]),
    }
    adj = adj.join(order, on="payment_id").sort("o", "line_number", "seq")
    ra = {
        "payment_id": _arrow(adj["payment_id"]),
        "line_number": _arrow(adj["line_number"].cast(pl.Int64)),
        "seq": _arrow(adj["seq"].cast(pl.Int64)),
        "group_code": _arrow(adj["group_code"]),
        "carc": _arrow(adj["carc"]),
        "amount": decimals(adj["amount"].to_numpy().astype(np.int64), 14, 2),
    }
    # Every adjustment sits on a line (denials included), so the claim level has none.
    none = {"payment_id": pa.array([], pa.string()), "seq": pa.array([], pa.int64()),
            "group_code": pa.array([], pa.string()), "carc": pa.array([], pa.string()),
            "amount": decimals(np.zeros(0, dtype=np.int64), 14, 2)}
    return make_batch(ClaimPayment, {"remittances": remits, "remittance_adjustments": none,
                                     "remittance_lines": rl, "remittance_line_adjustments": ra})


def _cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def _payment(row: dict[str, Any], lines: list[dict[str, Any]]) -> ClaimPayment:
    """One claim payment built directly (the small-volume twin of :func:`_assemble`)."""
    s = int(row["sign"])
    out: list[LinePayment] = []
    paid_total = pr_total = charge_total = 0
    for ln in sorted(lines, key=lambda r: int(r["line_number"])):
        if ln["reason"] is not None:
            parts = [(str(ln["group_code"]), str(ln["carc"]), int(ln["charge_c"]))]
            paid = 0
        else:
            parts = [(str(ln["reduce"]), "45", int(ln["charge_c"]) - int(ln["allowed_c"])),
                     ("PR", "1", int(ln["pr1_c"])), ("PR", "2", int(ln["pr2_c"])),
                     ("PR", "3", int(ln["pr3_c"]))]
            paid = int(ln["paid_c"])
        adjustments = [Adjustment(group_code=GroupCode(g), carc=c, amount=_cents(a * s))
                       for g, c, a in parts if a]
        pr_total += sum(a for g, _, a in parts if g == "PR") * s
        paid_total += paid * s
        charge_total += int(ln["charge_c"]) * s
        rarcs = [str(ln["rarc"])] if ln["reason"] is not None and ln["rarc"] else []
        out.append(LinePayment(
            line_number=int(ln["line_number"]), procedure_code=ln["procedure_code"],
            modifiers=list(ln["modifiers"] or []), revenue_code=ln["revenue_code"],
            charge=_cents(int(ln["charge_c"]) * s), paid=_cents(paid * s),
            units_paid=ln["units"], service_date=ln["service_from"], rarcs=rarcs,
            adjustments=adjustments))
    return ClaimPayment(
        payment_id=str(row["payment_id"]), claim_id=str(row["claim_id"]),
        payer_id=str(row["payer_id"]), **_PAYER_INFO.get(str(row["payer_id"]), {}),
        payer_claim_control_number=str(row["pcn"]),
        payee_npi=row["billing_npi"], payee_name=row["billing_name"],
        patient_first_name=row["patient_first_name"], patient_last_name=row["patient_last_name"],
        member_id=row["member_id"],
        status=ClaimStatus(str(row["status"])), total_charge=_cents(charge_total),
        paid=_cents(paid_total), patient_responsibility=_cents(pr_total),
        filing_indicator=row["filing"], payment_date=row["payment_date"],
        trace_number=str(row["trace"]), rarcs=list(row["rarcs"] or []), lines=out)


def _arrow(series: pl.Series) -> pa.Array:
    arr = series.to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr
