"""What the payer answers to a submission: 277CA acknowledgments and the adjudication result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from cleanclaim.domain import Adjustment, ClaimPayment, ClaimStatus, GroupCode, LinePayment
from cleanclaim.domain.schema import Batch


@dataclass(frozen=True, slots=True)
class Acknowledgment:
    """A claim-level acknowledgment (277CA): accepted (A2) or rejected (A3/A7) and why.

    ``carc``/``rarc``/``category`` say what a denial for the same reason would have carried,
    so rejections and denials can be counted together.
    """

    claim_id: str
    payer_id: str
    accepted: bool
    category_code: str
    status_code: str
    entity_code: str | None = None
    reason: str | None = None
    category: str | None = None
    carc: str | None = None
    rarc: str | None = None
    line: int | None = None
    charge: float = 0.0
    member_id: str | None = None
    billing_npi: str | None = None
    patient_last_name: str | None = None
    patient_first_name: str | None = None
    service_from: dt.date | None = None
    service_to: dt.date | None = None
    received_on: dt.date | None = None


@dataclass
class Adjudication:
    """What the payer answered to one submission.

    ``outcomes``: one row per claim submitted (``outcome`` rejected, paid, partial, denied or
    voided; primary ``reason``, ``carc``, ``rarc``, ``category``, ``line``; amounts in cents).
    ``lines``: one row per adjudicated service line. ``remittances``: the 835 claim payments as
    a canonical batch (reversals included); :meth:`payments` gives them as records.
    ``acks``: one 277CA row per claim.
    """

    outcomes: pl.DataFrame
    lines: pl.DataFrame
    remittances: Batch
    acks: pl.DataFrame

    def payments(self) -> list[ClaimPayment]:
        """The claim payments as typed records, in remittance order.

        Built without re-validation (``model_construct``): the tables were made by this
        module in the canonical layout, and validating half a million nested records would
        cost ten times the adjudication. ``records_from_batch(self.remittances)`` gives the
        same records, validated.
        """
        t = self.remittances.tables
        adjustments: dict[tuple[str, int], list[Adjustment]] = {}
        for r in t["remittance_line_adjustments"].to_pylist():
            adjustments.setdefault((r["payment_id"], r["line_number"]), []).append(
                Adjustment.model_construct(group_code=GroupCode(r["group_code"]), carc=r["carc"],
                                           amount=r["amount"], quantity=r["quantity"]))
        lines: dict[str, list[LinePayment]] = {}
        names = [n for n in LinePayment.model_fields if n != "adjustments"]
        for r in t["remittance_lines"].to_pylist():
            fields = {n: r[n] for n in names}
            fields["modifiers"] = fields["modifiers"] or []
            fields["rarcs"] = fields["rarcs"] or []
            lines.setdefault(r["payment_id"], []).append(LinePayment.model_construct(
                **fields, adjustments=adjustments.get((r["payment_id"], r["line_number"]), [])))
        heads = [n for n in ClaimPayment.model_fields if n not in ("adjustments", "lines")]
        out = []
        for r in t["remittances"].to_pylist():
            fields = {n: r[n] for n in heads}
            fields["status"] = ClaimStatus(r["status"])
            fields["rarcs"] = fields["rarcs"] or []
            out.append(ClaimPayment.model_construct(
                **fields, adjustments=[], lines=lines.get(r["payment_id"], [])))
        return out

    def rejections(self) -> list[Acknowledgment]:
        """The 277CA rejections as records."""
        return [Acknowledgment(**row) for row in
                self.acks.filter(pl.col("accepted").not_()).iter_rows(named=True)]

    def acknowledgments(self) -> list[Acknowledgment]:
        """Every 277CA row (accepted and rejected) as records."""
        return [Acknowledgment(**row) for row in self.acks.iter_rows(named=True)]

    def summary(self) -> dict[str, Any]:
        """Counts, denial rate (rejections + denials + partial denials) and the mix."""
        o = self.outcomes.filter(pl.col("outcome") != "voided")
        n = o.height
        counts = dict(o.group_by("outcome").len().iter_rows())
        hit = o.filter(pl.col("outcome").is_in(["rejected", "denied", "partial"]))
        k = hit.height

        def shares(col: str) -> dict[str, float]:
            rows = hit.group_by(col).len().sort(["len", col], descending=[True, False])
            return {str(v): round(c / k, 4) for v, c in rows.iter_rows()} if k else {}

        carcs = hit.group_by("carc").len().sort(["len", "carc"], descending=[True, False])
        return {
            "claims": n,
            "rejected": counts.get("rejected", 0),
            "paid": counts.get("paid", 0),
            "partly_paid": counts.get("partial", 0),
            "denied": counts.get("denied", 0),
            "voided": int(self.outcomes.filter(pl.col("outcome") == "voided").height),
            "denial_rate": round(k / n, 4) if n else 0.0,
            "charged": round(int(o["charge_cents"].sum()) / 100, 2),
            "paid_amount": round(int(o["paid_cents"].sum()) / 100, 2),
            "categories": shares("category"),
            "carcs": {str(c): int(v) for c, v in carcs.iter_rows()},
        }
