"""Claim-level edits (the whole claim denied) and line-level edits (one line denied)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from .state import SimulatorState


class EditsMixin(SimulatorState):
    """Claim and line edits judged against the world's tables."""

    def _claim_edits(self, a: pl.DataFrame, lines: pl.DataFrame, dx: pl.DataFrame,
                     as_of: dt.date) -> pl.DataFrame:
        ctx = self.ctx
        dates = lines.group_by("ix").agg(
            pl.col("service_from").min().alias("dos"),
            pl.max_horizontal("service_from", "service_to").max().alias("last_dos"),
        )
        a = a.select(
            "ix", "claim_id", "payer_id", "member_id", "frequency_code", "signature",
            "statement_to", "submitted_on", "patient_first_name", "patient_last_name",
            "patient_birth_date", "patient_sex",
        ).join(dates, on="ix", how="left")
        cov = ctx.coverages.select(
            "payer_id", "subscriber_id", pl.col("member_id").alias("person"), "plan_id",
            "effective_date", "termination_date", "cob_order", "product_line")
        m = a.select("ix", "payer_id", "member_id", "dos").join(
            cov, left_on=["payer_id", "member_id"], right_on=["payer_id", "subscriber_id"])
        m = m.with_columns(
            ((pl.col("effective_date") <= pl.col("dos")) & (
                pl.col("termination_date").is_null() | (pl.col("dos") <= pl.col("termination_date"))
            )).alias("active"),
            (pl.col("termination_date") < pl.col("dos")).fill_null(False).alias("ended"),
        )
        status = m.group_by("ix").agg(
            pl.col("active").any().alias("any_active"), pl.col("ended").any().alias("any_ended"))
        chosen = m.filter("active").sort("ix", "cob_order").unique("ix", keep="first").select(
            "ix", "person", "plan_id", "cob_order", "product_line")
        primary_elsewhere = chosen.filter(pl.col("cob_order") > 1).join(
            a.select("ix", "payer_id", "dos"), on="ix").join(
            cov.filter(pl.col("cob_order") == 1).select(
                "person", pl.col("payer_id").alias("other_payer"),
                pl.col("effective_date").alias("o_eff"),
                pl.col("termination_date").alias("o_term")), on="person",
        ).filter(
            (pl.col("other_payer") != pl.col("payer_id")) & (pl.col("o_eff") <= pl.col("dos"))
            & (pl.col("o_term").is_null() | (pl.col("dos") <= pl.col("o_term")))
        ).select("ix").unique().with_columns(pl.lit(True).alias("cob"))
        members = ctx.members.select(
            pl.col("member_id").alias("person"), pl.col("first_name").alias("m_first"),
            pl.col("last_name").alias("m_last"), pl.col("birth_date").alias("m_birth"),
            pl.col("sex").alias("m_sex"))
        subscriber_ids = cov["subscriber_id"].implode()
        w = a.join(status, on="ix", how="left").join(chosen, on="ix", how="left").join(
            primary_elsewhere, on="ix", how="left").join(members, on="person", how="left")
        w = w.join(ctx.payers.select("payer_id", "timely_filing_days", "appeal_window_days"),
                   on="payer_id", how="left")
        # Duplicates: earlier in this batch (submission order) or already in the history.
        pool = w.filter(pl.col("frequency_code") == "1").sort("submitted_on", "ix").select(
            "ix", (pl.col("signature").is_first_distinct().not_()
                   | pl.col("signature").is_in(list(self.history))).alias("dup"))
        w = w.join(pool, on="ix", how="left")
        bad_dx = dx.filter(pl.col("code").is_in(ctx.diagnoses["code"].implode()).not_()) \
            .select("claim_id").unique().with_columns(pl.lit(True).alias("bad_dx"))
        w = w.join(bad_dx, on="claim_id", how="left")
        ledger = pl.DataFrame({"signature": list(ctx.ledger), "hidden": list(ctx.ledger.values())},
                              schema={"signature": pl.String, "hidden": pl.String})
        w = w.join(ledger, on="signature", how="left")
        submitted = pl.col("submitted_on").fill_null(as_of)
        last = pl.coalesce("statement_to", "last_dos")
        has_cov = pl.col("any_active").is_not_null()
        rules: list[tuple[pl.Expr, pl.Expr]] = [
            (has_cov.not_() & pl.col("member_id").is_in(subscriber_ids).not_(),
             pl.lit("unknown_member_id")),
            (has_cov.not_(), pl.lit("wrong_payer")),
            (pl.col("any_active").not_() & pl.col("any_ended"), pl.lit("coverage_terminated")),
            (pl.col("any_active").not_(), pl.lit("coverage_not_started")),
            (pl.col("cob").fill_null(False), pl.lit("other_payer_primary")),
            (pl.col("patient_last_name") != pl.col("m_last"), pl.lit("patient_name_mismatch")),
            ((pl.col("patient_first_name") != pl.col("m_first"))
             | (pl.col("patient_birth_date") != pl.col("m_birth"))
             | (pl.col("patient_sex") != pl.col("m_sex")), pl.lit("demographic_mismatch")),
            (pl.col("dup").fill_null(False), pl.lit("duplicate_claim")),
            ((submitted - last).dt.total_days() > pl.col("timely_filing_days"),
             pl.lit("late_filing")),
            (pl.col("bad_dx").fill_null(False), pl.lit("diagnosis_not_billable")),
            (pl.col("hidden").is_not_null(), pl.col("hidden")),
        ]
        reason: pl.Expr = pl.lit(None, pl.String)
        for cond, name in reversed(rules):
            reason = pl.when(cond.fill_null(False)).then(name).otherwise(reason)
        return w.select(
            "ix", reason.alias("claim_reason"), "person", "plan_id", "product_line", "dos",
            "appeal_window_days",
        )

    # ------------------------------------------------------------ line edits

    def _line_edits(self, a: pl.DataFrame, lines: pl.DataFrame, dx: pl.DataFrame) -> pl.DataFrame:
        ctx = self.ctx
        head = a.select("ix", "claim_reason", "person", "plan_id", "payer_id", "dos",
                        "patient_birth_date", "patient_sex", "billing_npi",
                        pl.col("prior_auth_number").alias("claim_auth"))
        lp = lines.join(head, on="ix").join(
            ctx.procedures.select(
                pl.col("code").alias("procedure_code"), "family", "max_units", "typical_charge",
                pl.col("sex").alias("p_sex"), "min_age", "max_age"),
            on="procedure_code", how="left")
        bd, dos = pl.col("patient_birth_date"), pl.col("dos")
        # Month and day come as Int8: widen before combining them, or they overflow.
        def md(d: pl.Expr) -> pl.Expr:
            return d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)

        age = dos.dt.year() - bd.dt.year() - (md(dos) < md(bd)).cast(pl.Int32)
        lp = lp.with_columns(age.alias("age"), pl.col("units").cast(pl.Float64).alias("u"))
        key = ["ix", "line_number"]
        code = pl.col("procedure_code")
        excluded = ctx.plans.select("plan_id", pl.col("excluded_codes").alias("procedure_code")) \
            .explode("procedure_code").with_columns(pl.lit(True).alias("excluded"))
        needs = ctx.plans.select("plan_id", pl.col("auth_required_codes").alias("procedure_code")) \
            .explode("procedure_code").with_columns(pl.lit(True).alias("needs_auth"))
        lp = lp.join(excluded, on=["plan_id", "procedure_code"], how="left").join(
            needs, on=["plan_id", "procedure_code"], how="left")
        lp = lp.join(self._auth_checks(lp), on=key, how="left")
        lp = lp.join(self._ptp(lp), on=key, how="left")
        lp = lp.join(self._support(lp, dx), on=key, how="left")
        lp = lp.join(self._limits(lp), on=key, how="left")
        rules: list[tuple[pl.Expr, pl.Expr]] = [
            (code.is_not_null() & pl.col("family").is_null(), pl.lit("deleted_procedure")),
            (pl.col("u") > pl.col("max_units"), pl.lit("units_above_mue")),
            ((pl.col("age") < pl.col("min_age")) | (pl.col("age") > pl.col("max_age")),
             pl.lit("age_conflict")),
            (pl.col("p_sex").is_not_null() & (pl.col("patient_sex") != pl.col("p_sex")),
             pl.lit("sex_conflict")),
            (pl.col("excluded").fill_null(False), pl.lit("excluded_service")),
            (pl.col("auth_reason").is_not_null(), pl.col("auth_reason")),
            (pl.col("unbundled").fill_null(False), pl.lit("ncci_unbundled")),
            (pl.col("unsupported").fill_null(False), pl.lit("dx_not_supporting")),
            (pl.col("over_limit").fill_null(False), pl.lit("benefit_limit_exceeded")),
        ]
        reason: pl.Expr = pl.lit(None, pl.String)
        for cond, name in reversed(rules):
            reason = pl.when(cond.fill_null(False)).then(name).otherwise(reason)
        return lp.with_columns(
            pl.coalesce("claim_reason", reason).alias("reason"),
            pl.col("claim_reason").is_not_null().alias("claim_denied"),
        )

    def _auth_checks(self, lp: pl.DataFrame) -> pl.DataFrame:
        auths = self.ctx.authorizations
        need = lp.filter(pl.col("needs_auth").fill_null(False)).select(
            "ix", "line_number", "procedure_code", "person", "payer_id", "dos", "u",
            pl.coalesce("prior_auth_number", "claim_auth").alias("auth_ref"))
        remaining = (pl.col("units_approved").cast(pl.Float64)
                     - pl.col("units_used").cast(pl.Float64))
        a = auths.select(
            pl.col("auth_id").alias("auth_ref"), pl.col("payer_id").alias("a_payer"),
            pl.col("member_id").alias("a_member"), "procedure_codes", "start_date", "end_date",
            remaining.alias("remaining"), "status")
        ref = need.join(a, on="auth_ref", how="left")
        within = (pl.col("start_date") <= pl.col("dos")) & (pl.col("dos") <= pl.col("end_date"))
        # Without a number the payer still looks for an approval on file that fits.
        on_file = auths.filter(pl.col("status") == "approved").select(
            pl.col("member_id").alias("person"), pl.col("payer_id"),
            pl.col("procedure_codes").alias("procedure_code"), "start_date", "end_date",
            remaining.alias("remaining")).explode("procedure_code")
        found = need.filter(pl.col("auth_ref").is_null()).join(
            on_file, on=["person", "payer_id", "procedure_code"]).filter(
            within & (pl.col("remaining") >= pl.col("u"))).select(
            "ix", "line_number").unique().with_columns(pl.lit(True).alias("on_file"))
        ref = ref.join(found, on=["ix", "line_number"], how="left")
        rules: list[tuple[pl.Expr, str]] = [
            (pl.col("status").is_null() & pl.col("on_file").is_null(), "missing_prior_auth"),
            (pl.col("status").is_not_null() & (pl.col("status") != "approved"), "auth_denied"),
            (pl.col("status").is_not_null()
             & pl.col("procedure_codes").list.contains(pl.col("procedure_code")).not_(),
             "auth_wrong_code"),
            (pl.col("status").is_not_null() & within.not_(), "expired_auth"),
            (pl.col("status").is_not_null() & (pl.col("remaining") < pl.col("u")),
             "auth_units_exhausted"),
            (pl.col("status").is_not_null() & ((pl.col("a_member") != pl.col("person"))
                                               | (pl.col("a_payer") != pl.col("payer_id"))),
             "auth_mismatch"),
        ]
        reason: pl.Expr = pl.lit(None, pl.String)
        for cond, name in reversed(rules):
            reason = pl.when(cond.fill_null(False)).then(pl.lit(name)).otherwise(reason)
        return ref.select("ix", "line_number", reason.alias("auth_reason")).unique(
            ["ix", "line_number"], keep="first")

    def _ptp(self, lp: pl.DataFrame) -> pl.DataFrame:
        codes = lp.select("ix", pl.col("procedure_code").alias("column1")).drop_nulls().unique()
        pairs = lp.select("ix", "line_number", "procedure_code", "modifiers").join(
            self.ctx.ptp_edits, left_on="procedure_code", right_on="column2").join(
            codes, on=["ix", "column1"], how="semi")
        return pairs.filter(
            pl.col("modifiers").list.contains(pl.col("modifier")).not_().fill_null(True)
        ).select("ix", "line_number").unique().with_columns(pl.lit(True).alias("unbundled"))

    def _support(self, lp: pl.DataFrame, dx: pl.DataFrame) -> pl.DataFrame:
        restricted = self.ctx.dx_support["procedure_code"].unique().implode()
        prof = lp.filter(pl.col("claim_type") == "professional",
                         pl.col("procedure_code").is_in(restricted))
        pointed = prof.select("ix", "claim_id", "line_number", "procedure_code",
                              pl.col("diagnosis_pointers").alias("sequence")).explode("sequence")
        pointed = pointed.drop_nulls("sequence").join(
            dx.select("claim_id", "sequence", pl.col("code").alias("diagnosis_code")),
            on=["claim_id", "sequence"])
        support = self.ctx.dx_support.with_columns(pl.lit(True).alias("ok"))
        judged = pointed.join(support, on=["procedure_code", "diagnosis_code"], how="left")
        return judged.group_by("ix", "line_number").agg(
            pl.col("ok").any().not_().alias("unsupported"))

    def _limits(self, lp: pl.DataFrame) -> pl.DataFrame:
        limits = self.ctx.plan_limits.filter(pl.col("period") == "per_visit").select(
            "plan_id", "benefit", pl.col("procedure_codes").alias("procedure_code"),
            pl.col("max_units").cast(pl.Float64).alias("limit")).explode("procedure_code")
        counted = lp.select("ix", "line_number", "plan_id", "procedure_code", "u").join(
            limits, on=["plan_id", "procedure_code"]).sort("ix", "line_number")
        counted = counted.with_columns(
            pl.col("u").cum_sum().over("ix", "benefit").alias("cum"))
        return counted.group_by("ix", "line_number").agg(
            (pl.col("cum") > pl.col("limit")).any().alias("over_limit"))
