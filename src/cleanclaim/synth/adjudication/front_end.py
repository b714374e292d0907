"""Front-end edits (277CA rejections, no 835) and the 277CA acknowledgment rows."""

from __future__ import annotations

import polars as pl

from ..npi import is_valid_npi
from .state import SimulatorState


class FrontEndMixin(SimulatorState):
    """Rejects claims a payer would not accept for adjudication, and acknowledges them all."""

    def _front_end(self, c: pl.DataFrame, lines: pl.DataFrame, dx: pl.DataFrame) -> pl.DataFrame:
        ctx = self.ctx
        dx_count = dx.group_by("claim_id").len("dx_count")
        work = c.join(dx_count, on="claim_id", how="left").with_columns(
            pl.col("dx_count").fill_null(0))
        prof = pl.col("claim_type") == "professional"
        ptr = pl.col("diagnosis_pointers")
        line_flags = lines.join(work.select("ix", "dx_count"), on="ix").with_columns(
            (prof & pl.col("procedure_code").is_null()).alias("no_code"),
            (prof & (pl.col("dx_count") > 0) & (
                (ptr.list.len().fill_null(0) == 0) | (ptr.list.max() > pl.col("dx_count"))
            )).alias("bad_ptr"),
        ).group_by("ix").agg(
            pl.col("line_number").filter(pl.col("no_code")).min().alias("no_code_line"),
            pl.col("line_number").filter(pl.col("bad_ptr")).min().alias("bad_ptr_line"),
            pl.col("service_from").min().alias("lines_from"),
            pl.max_horizontal("service_from", "service_to").max().alias("lines_to"),
        )
        work = work.join(line_flags, on="ix", how="left")
        req_prof = (pl.col("place_of_service").is_null() | pl.col("patient_birth_date").is_null()
                    | pl.col("billing_tax_id").is_null() | (pl.col("dx_count") == 0))
        req_inst = (pl.col("type_of_bill").is_null() | pl.col("statement_from").is_null()
                    | pl.col("discharge_status").is_null() | pl.col("billing_tax_id").is_null()
                    | (pl.col("dx_count") == 0) | pl.col("patient_birth_date").is_null())
        missing_header = pl.when(prof).then(req_prof).otherwise(req_inst)
        npis = set(work["billing_npi"].drop_nulls().to_list()) | set(
            work["rendering_npi"].drop_nulls().to_list())
        valid = [n for n in npis if is_valid_npi(n)]
        freq = pl.col("frequency_code")
        tob = pl.col("type_of_bill")
        bad_freq = (freq.is_in(["7", "8"]) & pl.col("original_claim_ref").is_null()) | (
            tob.is_not_null() & (tob.str.slice(-1) != freq))
        unknown_ref = freq.is_in(["7", "8"]) & pl.col("original_claim_ref").is_not_null() & \
            pl.col("orig_signature").is_null()
        payers = ctx.payers.select("payer_id", "member_id_pattern")
        fmt = pl.lit(True)
        for pid, pattern in payers.iter_rows():
            if pattern:
                fmt = pl.when(pl.col("payer_id") == pid).then(
                    pl.col("member_id").str.contains(pattern)).otherwise(fmt)
        known_payer = pl.col("payer_id").is_in(payers["payer_id"].implode())
        rules: list[tuple[pl.Expr, str, pl.Expr]] = [
            (missing_header, "missing_required_field", pl.lit(None, pl.Int64)),
            (pl.col("no_code_line").is_not_null(), "missing_required_field",
             pl.col("no_code_line")),
            (pl.col("bad_ptr_line").is_not_null(), "invalid_diagnosis_pointer",
             pl.col("bad_ptr_line")),
            (pl.col("billing_npi").is_in(valid).not_(), "invalid_npi", pl.lit(None, pl.Int64)),
            (pl.col("rendering_npi").is_not_null()
             & pl.col("rendering_npi").is_in(valid).not_(), "invalid_rendering_npi",
             pl.lit(None, pl.Int64)),
            (bad_freq, "frequency_code_misuse", pl.lit(None, pl.Int64)),
            (unknown_ref, "unknown_original_claim", pl.lit(None, pl.Int64)),
            (known_payer.not_(), "unknown_payer", pl.lit(None, pl.Int64)),
            # An ID the clearinghouse knows at another payer goes on to adjudication (and is
            # denied there as billed to the wrong payer); only an ID nobody issued bounces.
            (fmt.not_() & pl.col("member_id").is_in(ctx.coverages["subscriber_id"].implode())
             .not_(), "member_id_format", pl.lit(None, pl.Int64)),
        ]
        reason: pl.Expr = pl.lit(None, pl.String)
        line: pl.Expr = pl.lit(None, pl.Int64)
        for cond, name, at in reversed(rules):
            reason = pl.when(cond.fill_null(False)).then(pl.lit(name)).otherwise(reason)
            line = pl.when(cond.fill_null(False)).then(at).otherwise(line)
        return work.select("ix", reason.alias("reject"), line.alias("reject_line"),
                           "lines_from", "lines_to")

    def _acks(self, c: pl.DataFrame) -> pl.DataFrame:
        edits = self._edits.select(pl.col("reason").alias("reject"), "category", "carc", "rarc",
                                   "ack_category", "ack_status", "ack_entity")
        rows = c.select("ix", "claim_id", "payer_id", "reject", "reject_line", "total_charge",
                        "member_id", "billing_npi", "patient_last_name", "patient_first_name",
                        "statement_from", "statement_to", "submitted_on", "lines_from",
                        "lines_to").join(edits, on="reject", how="left").sort("ix")
        return rows.select(
            "claim_id", "payer_id",
            pl.col("reject").is_null().alias("accepted"),
            pl.col("ack_category").fill_null("A2").alias("category_code"),
            pl.col("ack_status").fill_null("20").alias("status_code"),
            pl.col("ack_entity").alias("entity_code"),
            pl.col("reject").alias("reason"), "category", "carc", "rarc",
            pl.col("reject_line").cast(pl.Int64).alias("line"),
            pl.col("total_charge").cast(pl.Float64).alias("charge"),
            "member_id", "billing_npi", "patient_last_name", "patient_first_name",
            # A professional claim has no statement period: its lines' dates stand for it.
            pl.coalesce("statement_from", "lines_from").alias("service_from"),
            pl.coalesce("statement_to", "lines_to").alias("service_to"),
            pl.col("submitted_on").alias("received_on"),
        )
